"""Cases that share a person or a phone number, found through the blind indexes.

Links are stored from both sides and never merge anything. A person listed in two cases
where either listing is as a family member (a mother in her son's case and in her
husband's) is shown as such, not flagged: families overlap. Two principal applicants
who share a document number, a name with year of birth, or a phone are a concern.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, and_, delete, insert, or_, select, text

from portal.cases.models import BlindIndex, Case, DuplicateLink, DuplicateReason, Person
from portal.cases.states import Relationship
from portal.core.db import DbSession, utcnow
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
Pair = tuple[uuid.UUID | None, uuid.UUID, uuid.UUID | None, str]  # mine, case, theirs, on
# One link seen from one case: its person, the other case, the other person, the reason.
Link = tuple[uuid.UUID | None, uuid.UUID, uuid.UUID | None, DuplicateReason]


@dataclass(frozen=True)
class DuplicateResult:
    reasons: tuple[Reason, ...]
    concern: bool
    # Other cases linked to this one now or until this run: their screening may change.
    linked_cases: frozenset[uuid.UUID] = frozenset()
    # Links this run made that were not there before, seen from each other case.
    new_links: dict[uuid.UUID, tuple[Link, ...]] = field(default_factory=dict)


def lock_for_linking(session: DbSession) -> None:
    """Take before the job's first write (SQLite's write lock does the same there)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LINKING_LOCK_ID})


def _pairs(
    session: DbSession, case: Case, mine: list[IndexRow]
) -> tuple[set[Pair], dict[uuid.UUID, Relationship]]:
    """Who shares what with whom, and the relations of the people met."""
    by_value: dict[tuple[str, bytes], set[uuid.UUID | None]] = defaultdict(set)
    for row in mine:
        for counterpart in COUNTERPART[row.purpose]:
            by_value[(counterpart, row.digest)].add(row.person_id)
    relations = {person.id: person.relation for person in case.people}
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
                    and_(BlindIndex.purpose == purpose, BlindIndex.digest.in_(values))
                    for purpose, values in sorted(digests.items())
                )
            ),
            BlindIndex.case_id != case.id,
        )
    ).all()
    pairs: dict[tuple[uuid.UUID | None, str], set[Pair]] = defaultdict(set)
    for other_case, other_person, purpose, digest, relation in found:
        if other_person is not None:
            relations[other_person] = relation
        on = ix.KEY_OF_PURPOSE[purpose]
        for person in by_value[(purpose, digest)]:
            pairs[(person, on)].add((person, other_case, other_person, on))
    # Capped per person and index, the same way on every run (sorted), so reruns agree.
    capped = {
        pair
        for group in pairs.values()
        for pair in sorted(group, key=lambda p: (str(p[1]), str(p[2])))[:MAX_LINKS_PER_VALUE]
    }
    return capped, relations


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
                BlindIndex.purpose == ix.DOCUMENT_NUMBER, BlindIndex.person_id.in_(wanted)
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
    for person, other_case, other_person, reason in links:
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
        for mine, _case, theirs, reason in links
        if reason in NAME_REASONS
        for person in (mine, theirs)
        if person is not None
    }


def link_duplicates(session: DbSession, case: Case, mine: list[IndexRow]) -> DuplicateResult:
    """Replace every link of this case (both directions) with links from current indexes."""
    gone = session.execute(
        delete(DuplicateLink)
        .where(or_(DuplicateLink.case_id == case.id, DuplicateLink.other_case_id == case.id))
        .returning(
            DuplicateLink.case_id,
            DuplicateLink.person_id,
            DuplicateLink.other_person_id,
            DuplicateLink.matched_on,
            DuplicateLink.reason,
        )
        .execution_options(synchronize_session=False)
    ).all()
    # Seen from the other cases: (their case, their person, our person, index, reason).
    before = {tuple(row) for row in gone if row[0] != case.id}
    earlier: set[uuid.UUID] = {row[0] for row in gone if row[0] != case.id}
    pairs, relations = _pairs(session, case, mine)
    links: list[Link] = []
    rows = []
    new_links: dict[uuid.UUID, list[Link]] = defaultdict(list)
    now = utcnow()
    for pair in sorted(pairs, key=str):
        person, other_case, other_person, on = pair
        reason = _reason(on, person, other_person, relations)
        links.append((person, other_case, other_person, reason))
        if (other_case, other_person, person, on, reason) not in before:
            new_links[other_case].append((other_person, case.id, person, reason))
        for ids in (
            (case.id, other_case, person, other_person),
            (other_case, case.id, other_person, person),
        ):
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": ids[0],
                    "other_case_id": ids[1],
                    "person_id": ids[2],
                    "other_person_id": ids[3],
                    "matched_on": on,
                    "reason": reason,
                    "created_at": now,
                }
            )
    if rows:  # one executemany, straight to the table: nothing here needs the ORM's objects
        session.execute(insert(_LINK_TABLE), rows)
    # Only a name shared by two principals needs their document numbers compared.
    own: dict[uuid.UUID, set[bytes]] = defaultdict(set)
    for row in mine:
        if row.purpose == ix.DOCUMENT_NUMBER and row.person_id is not None:
            own[row.person_id].add(row.digest)
    people = name_link_people(links)
    ours = {person.id: own.get(person.id, set()) for person in case.people}
    documents = documents_of(session, people, ours) if people else {}
    reasons, concern = summarise(links, documents)
    linked = earlier | {link[1] for link in links}
    return DuplicateResult(
        reasons,
        concern,
        linked_cases=frozenset(linked),
        new_links={other: tuple(found) for other, found in new_links.items()},
    )
