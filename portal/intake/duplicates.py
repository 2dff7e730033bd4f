"""Cases that share a person or a phone number, found through the blind indexes.

A link is stored once, for both of its cases, and never merges anything. A person listed
in two cases where either listing is as a family member (a mother in her son's case and in
her husband's) is shown as such, not flagged: families overlap. Two principal applicants
who share a document number, a name with year of birth, or a phone are a concern.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, cast

from sqlalchemy import Table, and_, delete, or_, select, text

from portal.cases.models import BlindIndex, Case, DuplicateLink, DuplicateReason, Person
from portal.cases.states import Relationship
from portal.core.db import DbSession, insert_rows, one_of, utcnow
from portal.intake import indexing as ix
from portal.intake import reasons as R
from portal.intake.indexing import IndexRow
from portal.intake.reasons import Reason

# Any fixed number: the PostgreSQL advisory lock that makes linking one case at a time.
# Without it two workers indexing two matching cases at once would each miss the other.
LINKING_LOCK_ID = 0x6C696E6B
# One very common name with one birth year can meet hundreds of cases; past this many,
# more links per person and index tell staff nothing (the reason still counts them all).
MAX_LINKS_PER_VALUE = 25
# The indexes a value of each index is looked up in. A name's skeleton in Arabic script
# meets the skeletons of Latin and Cyrillic names, and they meet it; a Cyrillic name meets
# a Latin one by the vowelled key (see ``indexing``). Never a script's own skeletons.
COUNTERPART: dict[str, frozenset[str]] = {
    ix.DOCUMENT_NUMBER: frozenset({ix.DOCUMENT_NUMBER}),
    ix.NAME_BIRTH_YEAR: frozenset({ix.NAME_BIRTH_YEAR}),
    ix.PHONE: frozenset({ix.PHONE}),
    ix.TRANSLITERATED_ARABIC: frozenset({ix.TRANSLITERATED_CYRILLIC, ix.TRANSLITERATED_LATIN}),
    ix.TRANSLITERATED_CYRILLIC: frozenset({ix.TRANSLITERATED_ARABIC}),
    ix.TRANSLITERATED_LATIN: frozenset({ix.TRANSLITERATED_ARABIC}),
    ix.VOWELLED_CYRILLIC: frozenset({ix.VOWELLED_LATIN}),
    ix.VOWELLED_LATIN: frozenset({ix.VOWELLED_CYRILLIC}),
}
PRINCIPALS_REASON = {
    ix.DOCUMENT_NUMBER: DuplicateReason.DOCUMENT_NUMBER,
    ix.NAME_BIRTH_YEAR: DuplicateReason.NAME_BIRTH_YEAR,
    ix.TRANSLITERATED: DuplicateReason.NAME_TRANSLITERATED,
}
REASON_CODE = {
    DuplicateReason.DOCUMENT_NUMBER: R.DUPLICATE_DOCUMENT,
    DuplicateReason.NAME_BIRTH_YEAR: R.DUPLICATE_NAME,
    DuplicateReason.NAME_TRANSLITERATED: R.DUPLICATE_NAME_TRANSLITERATED,
    DuplicateReason.PHONE: R.DUPLICATE_PHONE,
}

NAME_REASONS = frozenset({DuplicateReason.NAME_BIRTH_YEAR, DuplicateReason.NAME_TRANSLITERATED})
_NONE = uuid.UUID(int=0)
_LINK_TABLE = cast(Table, DuplicateLink.__table__)
_LINK_COLUMNS = (
    DuplicateLink.case_id,
    DuplicateLink.person_id,
    DuplicateLink.other_case_id,
    DuplicateLink.other_person_id,
    DuplicateLink.matched_on,
    DuplicateLink.reason,
)
# A shared value: a case and its person, the other case and its person, the index.
Pair = tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, uuid.UUID | None, str]


class Link(NamedTuple):
    """One link seen from one of its two cases (it is stored once, for both)."""

    person_id: uuid.UUID | None
    other_case_id: uuid.UUID
    other_person_id: uuid.UUID | None
    reason: DuplicateReason
    matched_on: str


@dataclass(frozen=True)
class DuplicateResult:
    """What one case's links mean for its own screening."""

    reasons: tuple[Reason, ...]
    concern: bool


@dataclass(frozen=True)
class Linking:
    """The links of a batch of cases, made afresh."""

    results: dict[uuid.UUID, DuplicateResult]  # for each case of the batch
    # Links this run made that were not there before, seen from each case outside the batch.
    new_links: dict[uuid.UUID, tuple[Link, ...]] = field(default_factory=dict)
    # The document-number digests of the people in name links, which decide their concern.
    documents: dict[uuid.UUID, set[bytes]] = field(default_factory=dict)


def lock_for_linking(session: DbSession) -> None:
    """Take before the job's first write (SQLite's write lock does the same there)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LINKING_LOCK_ID})


def _pairs(
    session: DbSession, cases: list[Case], indexes: dict[uuid.UUID, list[IndexRow]]
) -> tuple[set[Pair], dict[uuid.UUID, Relationship]]:
    """Who shares what with whom, seen from both sides, and the relations of the people
    met. Cases of the batch meet each other as they meet any other case."""
    by_value: dict[tuple[str, bytes], set[tuple[uuid.UUID, uuid.UUID | None]]] = defaultdict(set)
    for case_id, rows in indexes.items():
        for row in rows:
            for counterpart in COUNTERPART[row.purpose]:
                by_value[(counterpart, row.digest)].add((case_id, row.person_id))
    relations = {person.id: person.relation for case in cases for person in case.people}
    if not by_value:
        return set(), relations
    digests: dict[str, list[bytes]] = {purpose: [] for purpose in ix.KEY_OF_PURPOSE}
    for purpose, digest in by_value:
        digests[purpose].append(digest)
    # One arm per purpose, always all of them: a statement of one shape, which SQLAlchemy
    # compiles once and the (purpose, digest) index serves arm by arm.
    found = session.execute(
        select(
            BlindIndex.case_id,
            BlindIndex.person_id,
            BlindIndex.purpose,
            BlindIndex.digest,
            Person.relation,
        )
        .outerjoin(Person, Person.id == BlindIndex.person_id)
        .where(
            or_(
                *(
                    and_(BlindIndex.purpose == purpose, one_of(session, BlindIndex.digest, values))
                    for purpose, values in sorted(digests.items())
                )
            )
        )
    ).all()
    groups: dict[tuple[uuid.UUID, uuid.UUID | None, str], set[tuple[uuid.UUID, uuid.UUID | None]]]
    groups = defaultdict(set)
    for other_case, other_person, purpose, digest, relation in found:
        if other_person is not None:
            relations[other_person] = relation
        on = ix.KEY_OF_PURPOSE[purpose]
        for case_id, person in by_value[(purpose, digest)]:
            if other_case != case_id:
                groups[(case_id, person, on)].add((other_case, other_person))
    # Capped per case, person and index, the same way on every run (sorted), so reruns
    # agree; a link kept from either side is stored from both.
    pairs: set[Pair] = set()
    for (case_id, person, on), group in groups.items():
        for other_case, other_person in sorted(group, key=_by_ids)[:MAX_LINKS_PER_VALUE]:
            pairs.add((case_id, person, other_case, other_person, on))
            pairs.add((other_case, other_person, case_id, person, on))
    return pairs, relations


def _by_ids(met: tuple[uuid.UUID, uuid.UUID | None]) -> tuple[int, int]:
    """The order of (case, person) in which links are kept, a missing person first."""
    case_id, person = met
    return case_id.int, person.int if person else -1


def documents_of(
    session: DbSession,
    people: set[uuid.UUID],
    known: dict[uuid.UUID, set[bytes]] | None = None,
) -> dict[uuid.UUID, set[bytes]]:
    """The document-number digests of ``people``, reading only those not ``known``."""
    documents: dict[uuid.UUID, set[bytes]] = defaultdict(set)
    for person_id, digests in (known or {}).items():
        documents[person_id] |= digests
    wanted = people - set(documents)
    if wanted:
        rows = session.execute(
            select(BlindIndex.person_id, BlindIndex.digest).where(
                BlindIndex.purpose == ix.DOCUMENT_NUMBER,
                one_of(session, BlindIndex.person_id, wanted),
            )
        )
        for found, digest in rows:
            if found is not None:
                documents[found].add(digest)
    return documents


def _reason(
    on: str,
    person: uuid.UUID | None,
    other_person: uuid.UUID | None,
    relations: dict[uuid.UUID, Relationship],
) -> DuplicateReason:
    """What a shared value means."""
    if on == ix.PHONE or person is None or other_person is None:
        return DuplicateReason.PHONE
    if not relations.get(person) == relations.get(other_person) == Relationship.PRINCIPAL:
        return DuplicateReason.FAMILY_MEMBER
    return PRINCIPALS_REASON[on]


def summarise(
    links: Iterable[Link], documents: dict[uuid.UUID, set[bytes]]
) -> tuple[tuple[Reason, ...], bool]:
    """The reasons staff read for one case's links (seen from that case), and whether
    they are a concern. ``documents`` holds the document digests of people in name links."""
    cases: dict[DuplicateReason, set[uuid.UUID]] = defaultdict(set)
    family_people: set[uuid.UUID | None] = set()
    concern = False
    for person, other_case, other_person, reason, _on in links:
        if reason in NAME_REASONS:
            # The same name and year but different document numbers: most likely two people.
            ours, theirs = documents.get(person or _NONE), documents.get(other_person or _NONE)
            concern |= not (ours and theirs and not ours & theirs)
        else:
            concern |= reason != DuplicateReason.FAMILY_MEMBER
        cases[reason].add(other_case)
        if reason == DuplicateReason.FAMILY_MEMBER:
            family_people.add(person)
    reasons = [
        Reason(REASON_CODE[reason], params={"cases": len(cases[reason])})
        for reason in REASON_CODE
        if cases.get(reason)
    ]
    if family_people:
        params = {"people": len(family_people), "cases": len(cases[DuplicateReason.FAMILY_MEMBER])}
        reasons.append(Reason(R.FAMILY_IN_OTHER_CASE, params=params))
    return tuple(reasons), concern


def name_link_people(links: Iterable[Link]) -> set[uuid.UUID]:
    """People whose document numbers decide whether a name link is a concern."""
    return {
        person
        for mine, _case, theirs, reason, _on in links
        if reason in NAME_REASONS
        for person in (mine, theirs)
        if person is not None
    }


def links_of(session: DbSession, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Link]]:
    """The links of these cases, each seen from its case, oldest first."""
    wanted = set(case_ids)
    found: dict[uuid.UUID, list[Link]] = defaultdict(list)
    rows = session.execute(
        select(*_LINK_COLUMNS)
        .where(
            or_(
                one_of(session, DuplicateLink.case_id, wanted),
                one_of(session, DuplicateLink.other_case_id, wanted),
            )
        )
        .order_by(DuplicateLink.created_at, DuplicateLink.id)
    )
    for case_id, person, other_case, other_person, on, reason in rows:
        if case_id in wanted:
            found[case_id].append(Link(person, other_case, other_person, reason, on))
        if other_case in wanted:
            found[other_case].append(Link(other_person, case_id, person, reason, on))
    return found


def link_duplicates(
    session: DbSession, cases: list[Case], indexes: dict[uuid.UUID, list[IndexRow]]
) -> Linking:
    """Replace every link of these cases with links from current indexes."""
    batch = {case.id for case in cases}
    gone = session.execute(
        delete(DuplicateLink)
        .where(
            or_(
                one_of(session, DuplicateLink.case_id, batch),
                one_of(session, DuplicateLink.other_case_id, batch),
            )
        )
        .returning(*_LINK_COLUMNS)
        .execution_options(synchronize_session=False)
    ).all()
    # Seen from the cases outside the batch: their case, then the link as they see it.
    # Links between two cases of the batch are simply made again.
    before = set()
    for case_id, person, other_case, other_person, on, reason in gone:
        if case_id not in batch:
            before.add((case_id, Link(person, other_case, other_person, reason, on)))
        if other_case not in batch:
            before.add((other_case, Link(other_person, case_id, person, reason, on)))
    pairs, relations = _pairs(session, cases, indexes)
    links: dict[uuid.UUID, list[Link]] = defaultdict(list)
    new_links: dict[uuid.UUID, list[Link]] = defaultdict(list)
    rows = []
    now = utcnow()
    for case_id, person, other_case, other_person, on in pairs:
        reason = _reason(on, person, other_person, relations)
        link = Link(person, other_case, other_person, reason, on)
        links[case_id].append(link)
        if case_id not in batch and (case_id, link) not in before:
            new_links[case_id].append(link)
        if case_id < other_case:  # each pair is in ``pairs`` from both sides: stored once
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "other_case_id": other_case,
                    "person_id": person,
                    "other_person_id": other_person,
                    "matched_on": on,
                    "reason": str(reason),
                    "created_at": now,
                }
            )
    insert_rows(session, _LINK_TABLE, rows)  # straight to the table: no ORM objects needed
    # Only a name shared by two principals needs their document numbers compared; those
    # of the batch's people are in their fresh indexes.
    own: dict[uuid.UUID, set[bytes]] = {
        person.id: set() for case in cases for person in case.people
    }
    for rows_of_case in indexes.values():
        for row in rows_of_case:
            if row.purpose == ix.DOCUMENT_NUMBER and row.person_id is not None:
                own[row.person_id].add(row.digest)
    people = name_link_people(link for case_id in batch for link in links[case_id])
    documents = documents_of(session, people, own) if people else {}
    results = {}
    for case_id in batch:
        reasons, concern = summarise(links[case_id], documents)
        results[case_id] = DuplicateResult(reasons, concern)
    return Linking(
        results,
        new_links={other: tuple(found) for other, found in new_links.items()},
        documents=documents,
    )
