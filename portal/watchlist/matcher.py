"""Matching applicants' names against the watch list, across scripts and spellings.

Names meet in two ways (docs/screening.md): written in the same script, their folded forms
are compared; written in different scripts (Arabic and Latin), their consonant skeletons
are. Scores are rapidfuzz ratios (0-100) over order-free keys; the date of birth then adds
or takes away a few points, and a score at or above the threshold is a hit. The keys are
de-duplicated, blocked by the words of their Latin key, and compared in C
(rapidfuzz.process.extract), not in a Python loop.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from rapidfuzz import fuzz, process
from sqlalchemy import select

from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.core.normalise import (
    ApproximateDate,
    birth_date_agreement,
    is_arabic_script,
    latin_key,
    name_key,
    parse_approximate_date,
)
from portal.watchlist.models import WatchList
from portal.watchlist.store import StoredEntry, load_entries

# Points the date of birth adds to or takes from a name's score. Ages of people from
# Afghanistan are often estimated, so a year or two apart neither helps nor hurts.
BIRTH_POINTS = {"same_date": 8, "same_year": 5, "near_year": 0, "unknown": 0, "different_year": -10}
MAX_MATCHES = 5  # per person: the security officer needs the best few, not a long tail
CACHE = "portal.watchlist_matcher"


@dataclass(frozen=True)
class WatchListMatch:
    entry_id: uuid.UUID
    reference: str
    listed_name: str
    name_score: int
    birth: str  # how the dates of birth agree (a key of BIRTH_POINTS)
    score: int


class _Keys:
    """One kind of key of one script: each distinct key once, with who it belongs to.

    Blocking: a name is only scored against keys whose names share a word of the Latin key
    with it (spelling variants of a word share its consonant skeleton), so a common name
    is compared with a few hundred keys, not the whole list.
    """

    def __init__(self) -> None:
        self.owners: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.blocks: dict[str, set[str]] = defaultdict(set)
        self.choices: list[str] = []

    def add(self, key: str, owner: tuple[int, int], words: list[str]) -> None:
        if key:
            self.owners[key].append(owner)
            for word in words:
                self.blocks[word].add(key)

    def freeze(self) -> None:
        self.choices = list(self.owners)

    def candidates(self, words: list[str]) -> list[str]:
        found: set[str] = set()
        for word in words:
            found |= self.blocks.get(word, set())
        return list(found)


class WatchListMatcher:
    def __init__(
        self, list_id: uuid.UUID, version: int, entries: list[StoredEntry], *, threshold: int
    ) -> None:
        self.list_id, self.version, self.threshold = list_id, version, threshold
        self.entries = entries
        self.born = [parse_approximate_date(e.person.date_of_birth) for e in entries]
        # [False] holds keys of names not in Arabic script, [True] of names in it.
        self.folded = {False: _Keys(), True: _Keys()}
        self.skeletons = {False: _Keys(), True: _Keys()}
        for index, entry in enumerate(entries):
            for position, name in enumerate((entry.person.name, *entry.person.aliases)):
                arabic, skeleton = is_arabic_script(name), latin_key(name)
                words, owner = skeleton.split(), (index, position)
                self.folded[arabic].add(name_key(name, join_particles=True), owner, words)
                self.skeletons[arabic].add(skeleton, owner, words)
        for keys in (*self.folded.values(), *self.skeletons.values()):
            keys.freeze()

    def _name_scores(self, names: Sequence[str]) -> dict[int, tuple[float, int]]:
        cutoff = self.threshold - max(BIRTH_POINTS.values())
        best: dict[int, tuple[float, int]] = {}
        for name in names:
            arabic, skeleton = is_arabic_script(name), latin_key(name)
            words = skeleton.split()
            for keys, query in (
                (self.folded[arabic], name_key(name, join_particles=True)),
                (self.skeletons[not arabic], skeleton),
            ):
                choices = keys.candidates(words)
                if not query or not choices:
                    continue
                for choice, score, _index in process.extract(
                    query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                ):
                    for entry, position in keys.owners[choice]:
                        if score > best.get(entry, (-1.0, 0))[0]:
                            best[entry] = (score, position)
        return best

    def match(self, names: Sequence[str], born: ApproximateDate | None) -> list[WatchListMatch]:
        """Hits for one person known by ``names`` (any scripts), best first."""
        ranked = []
        for entry, (name_score, position) in self._name_scores(names).items():
            birth = birth_date_agreement(born, self.born[entry])
            # Ranked before capping at 100, so the same date of birth puts an entry first.
            evidence = name_score + BIRTH_POINTS[birth]
            score = round(max(0.0, min(100.0, evidence)))
            if score < self.threshold:
                continue
            listed = self.entries[entry].person
            match = WatchListMatch(
                entry_id=self.entries[entry].id,
                reference=listed.reference,
                listed_name=(listed.name, *listed.aliases)[position],
                name_score=round(name_score),
                birth=birth,
                score=score,
            )
            ranked.append((-evidence, listed.reference, match))
        ranked.sort(key=lambda item: item[:2])
        return [match for _evidence, _reference, match in ranked[:MAX_MATCHES]]


class WatchListChangedError(RuntimeError):
    """The list was replaced while it was being read; the job's retry reads the new one."""


def current_matcher(session: DbSession) -> WatchListMatcher | None:
    """The matcher of the list in force, decrypted once per list version per process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threshold = int(app.config["PORTAL_WATCHLIST_THRESHOLD"])
    active = session.execute(
        select(WatchList.id, WatchList.version, WatchList.entry_count)
        .where(WatchList.replaced_at.is_(None))
        .order_by(WatchList.version.desc())
        .limit(1)
    ).first()
    if active is None:
        return None
    cached: WatchListMatcher | None = app.extensions.get(CACHE)
    if cached is not None and cached.list_id == active.id and cached.threshold == threshold:
        return cached
    watchlist = session.get(WatchList, active.id)
    entries = load_entries(session, watchlist) if watchlist else []
    if watchlist is None or len(entries) != active.entry_count:
        raise WatchListChangedError("the watch list was replaced while it was read")
    record_event(
        session,
        "watchlist.decrypted",
        actor_kind=ActorKind.SYSTEM,
        version=str(active.version),
        purpose="screening",
    )
    matcher = WatchListMatcher(active.id, active.version, entries, threshold=threshold)
    app.extensions[CACHE] = matcher
    return matcher
