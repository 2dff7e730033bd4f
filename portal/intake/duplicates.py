"""Cases that share a person or a phone number, found through the blind indexes.

Links are stored from both sides and never merge anything. A person listed in two cases
where either listing is as a family member (a mother in her son's case and in her
husband's) is shown as such, not flagged: families overlap. Two principal applicants
who share a document number, a name with year of birth, or a phone are a concern.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, delete, insert, or_, select, text

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
COUNTERPART = {
    ix.DOCUMENT_NUMBER: ix.DOCUMENT_NUMBER,
    ix.NAME_BIRTH_YEAR: ix.NAME_BIRTH_YEAR,
    ix.PHONE: ix.PHONE,
    ix.TRANSLITERATED_ARABIC: ix.TRANSLITERATED_LATIN,
    ix.TRANSLITERATED_LATIN: ix.TRANSLITERATED_ARABIC,
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
Pair = tuple[uuid.UUID | None, uuid.UUID, uuid.UUID | None, str]  # mine, case, theirs, on


@dataclass(frozen=True)
class DuplicateResult:
    reasons: tuple[Reason, ...]
    concern: bool


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
        by_value[(COUNTERPART[row.purpose], row.digest)].add(row.person_id)
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


def _documents(
    session: DbSession, mine: list[IndexRow], others: set[uuid.UUID]
) -> dict[uuid.UUID, set[bytes]]:
    documents: dict[uuid.UUID, set[bytes]] = defaultdict(set)
    for row in mine:
        if row.purpose == ix.DOCUMENT_NUMBER and row.person_id is not None:
            documents[row.person_id].add(row.digest)
    if others:
        rows = session.execute(
            select(BlindIndex.person_id, BlindIndex.digest).where(
                BlindIndex.purpose == ix.DOCUMENT_NUMBER, BlindIndex.person_id.in_(others)
            )
        )
        for person_id, digest in rows:
            if person_id is not None:
                documents[person_id].add(digest)
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


def link_duplicates(session: DbSession, case: Case, mine: list[IndexRow]) -> DuplicateResult:
    """Replace every link of this case (both directions) with links from current indexes."""
    session.execute(
        delete(DuplicateLink).where(
            or_(DuplicateLink.case_id == case.id, DuplicateLink.other_case_id == case.id)
        )
    )
    pairs, relations = _pairs(session, case, mine)
    reasons = {pair: _reason(pair[3], pair[0], pair[2], relations) for pair in pairs}
    by_name = {pair for pair, reason in reasons.items() if reason in NAME_REASONS}
    # Only a name shared by two principals needs their document numbers compared.
    documents = _documents(session, mine, {p[2] for p in by_name if p[2]}) if by_name else {}
    cases: dict[DuplicateReason, set[uuid.UUID]] = defaultdict(set)
    family_people: set[uuid.UUID | None] = set()
    concern = False
    rows = []
    for pair in sorted(pairs, key=str):
        person, other_case, other_person, on = pair
        reason = reasons[pair]
        if reason in NAME_REASONS:
            # The same name and year but different document numbers: most likely two people.
            ours, theirs = documents.get(person or _NONE), documents.get(other_person or _NONE)
            concern |= not (ours and theirs and not ours & theirs)
        else:
            concern |= reason != DuplicateReason.FAMILY_MEMBER
        cases[reason].add(other_case)
        if reason == DuplicateReason.FAMILY_MEMBER:
            family_people.add(person)
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
                    "created_at": utcnow(),
                }
            )
    if rows:  # one executemany
        session.execute(insert(DuplicateLink), rows)
    reasons_out = [
        Reason(REASON_CODE[reason], params={"cases": len(cases[reason])})
        for reason in REASON_CODE
        if cases.get(reason)
    ]
    if family_people:
        params = {"people": len(family_people), "cases": len(cases[DuplicateReason.FAMILY_MEMBER])}
        reasons_out.append(Reason(R.FAMILY_IN_OTHER_CASE, params=params))
    return DuplicateResult(tuple(reasons_out), concern)
