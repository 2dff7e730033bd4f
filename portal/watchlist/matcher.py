"""Matching applicants' names against the watch list, across scripts and spellings.

Names meet in three ways (docs/screening.md): written in the same script, their folded
forms are compared; one in Arabic script and one in Cyrillic or Latin letters, their
consonant skeletons; one in Cyrillic and one in Latin letters, their skeletons with the
places of the vowels kept (a skeleton alone is too lossy between two scripts that write
vowels). Scores are rapidfuzz ratios (0-100) over order-free keys; the date of birth then adds
or takes away a few points, and a score at or above the threshold is a hit. The keys are
de-duplicated, blocked by the words of their Latin key, and compared in C
(rapidfuzz.process.extract), not in a Python loop.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from flask import current_app
from rapidfuzz import fuzz, process
from sqlalchemy import select

from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.core.normalise import (
    ApproximateDate,
    NameKeys,
    Script,
    birth_date_agreement,
    name_key,
    name_keys,
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
        self.skeletons: dict[str, str] = {}  # of vowelled keys: the skeleton it was built on

    def add(self, key: str, owner: tuple[int, int], words: list[str]) -> None:
        if key:
            self.owners[key].append(owner)
            self.skeletons[key] = " ".join(words)
            for word in words:
                self.blocks[word].add(key)

    def freeze(self) -> None:
        self.choices = list(self.owners)

    def candidates(self, words: list[str]) -> list[str]:
        found: set[str] = set()
        for word in words:
            found |= self.blocks.get(word, set())
        return list(found)


class _Kind(Enum):
    FOLDED = "folded"  # the folded name: the same script
    SKELETON = "skeleton"  # the Latin key: Arabic script and a script with vowels
    VOWELLED = "vowelled"  # the Latin key with its vowels marked, and without: Cyrillic and Latin


def _query(kind: _Kind, name: NameKeys) -> str:
    if kind is _Kind.FOLDED:
        return name_key(name.name, join_particles=True)
    return name.skeleton if kind is _Kind.SKELETON else name.vowelled


class WatchListMatcher:
    def __init__(
        self, list_id: uuid.UUID, version: int, entries: list[StoredEntry], *, threshold: int
    ) -> None:
        self.list_id, self.version, self.threshold = list_id, version, threshold
        self.entries = entries
        self.born = [parse_approximate_date(e.person.date_of_birth) for e in entries]
        folded = {script: _Keys() for script in Script}
        # Skeletons of names in Arabic script, and of names written with vowels.
        arabic_skeletons, vowel_skeletons = _Keys(), _Keys()
        vowelled = {Script.CYRILLIC: _Keys(), Script.LATIN: _Keys()}
        for index, entry in enumerate(entries):
            for position, name in enumerate((entry.person.name, *entry.person.aliases)):
                written = name_keys(name)
                words, owner = written.skeleton.split(), (index, position)
                folded[written.script].add(_query(_Kind.FOLDED, written), owner, words)
                if written.script == Script.ARABIC:
                    arabic_skeletons.add(written.skeleton, owner, words)
                else:
                    vowel_skeletons.add(written.skeleton, owner, words)
                    vowelled[written.script].add(written.vowelled, owner, words)
        for keys in (*folded.values(), arabic_skeletons, vowel_skeletons, *vowelled.values()):
            keys.freeze()
        # What a name in each script is compared with (docs/screening.md, "Matching").
        self.compare: dict[Script, tuple[tuple[_Kind, _Keys], ...]] = {
            Script.ARABIC: (
                (_Kind.FOLDED, folded[Script.ARABIC]),
                (_Kind.SKELETON, vowel_skeletons),
            ),
            Script.CYRILLIC: (
                (_Kind.FOLDED, folded[Script.CYRILLIC]),
                (_Kind.SKELETON, arabic_skeletons),
                (_Kind.VOWELLED, vowelled[Script.LATIN]),
            ),
            Script.LATIN: (
                (_Kind.FOLDED, folded[Script.LATIN]),
                (_Kind.SKELETON, arabic_skeletons),
                (_Kind.VOWELLED, vowelled[Script.CYRILLIC]),
            ),
        }

    def _name_scores(self, names: Sequence[NameKeys]) -> dict[int, tuple[float, int]]:
        cutoff = self.threshold - max(BIRTH_POINTS.values())
        best: dict[int, tuple[float, int]] = {}
        for name in names:
            skeleton = name.skeleton
            words = skeleton.split()
            for kind, keys in self.compare[name.script]:
                choices = keys.candidates(words)
                if not choices:
                    continue
                query = _query(kind, name)
                if not query:
                    continue
                for choice, score, _index in process.extract(
                    query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                ):
                    if kind is _Kind.VOWELLED:
                        # The vowels may only take away: vowel marks the two share are no
                        # evidence, so this never scores above the skeletons' ratio.
                        score = min(score, fuzz.ratio(skeleton, keys.skeletons[choice]))
                        if score < cutoff:
                            continue
                    for entry, position in keys.owners[choice]:
                        if score > best.get(entry, (-1.0, 0))[0]:
                            best[entry] = (score, position)
        return best

    def match(
        self, names: Sequence[str | NameKeys], born: ApproximateDate | None
    ) -> list[WatchListMatch]:
        """Hits for one person known by ``names`` (any scripts; their keys, where worked
        out already), best first."""
        written = [name if isinstance(name, NameKeys) else name_keys(name) for name in names]
        ranked = []
        for entry, (name_score, position) in self._name_scores(written).items():
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
