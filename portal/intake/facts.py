"""What the screening rules read of a case, decrypted once and held only for one job.

The rules (checks, priority, watch list) are pure functions of these facts, so they can be
tested without a database and explained line by line.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.cases.models import Case, Document
from portal.cases.states import IdentityDocument, Programme, Relationship
from portal.core.db import DbSession
from portal.core.normalise import (
    ApproximateDate,
    NameKeys,
    document_number_key,
    has_bidi_controls,
    name_keys,
    parse_approximate_date,
)

# Loader options for cases about to be read into facts: their people and employment.
LOAD_FOR_FACTS = (selectinload(Case.people), selectinload(Case.employments))


@dataclass(frozen=True)
class PersonFacts:
    id: uuid.UUID
    relation: Relationship
    born: ApproximateDate | None = None
    # The full names as written (own script, then Latin letters), each with its keys:
    # the blind indexes and the watch-list matcher share them.
    name_keys: tuple[NameKeys, ...] = ()
    birth_date: str | None = None  # as written: the indexes take the year of any text
    document_key: str = ""
    identity_document: IdentityDocument | None = None
    sworn_declaration: bool = False


@dataclass(frozen=True)
class EmploymentFacts:
    employer: str
    started: ApproximateDate | None
    ended: ApproximateDate | None  # None: still employed, or not given


@dataclass(frozen=True)
class CaseFacts:
    programme: Programme
    people: tuple[PersonFacts, ...]
    employments: tuple[EmploymentFacts, ...] = ()
    risk_profile: tuple[str, ...] = ()
    submitted_at: datetime | None = None
    bidi_texts: int = 0  # names and file names with text-direction controls
    phone: str | None = None  # the contact phone, as written

    @property
    def principal(self) -> PersonFacts | None:
        return next((p for p in self.people if p.relation == Relationship.PRINCIPAL), None)


def facts_of(session: DbSession, cases: Iterable[Case]) -> dict[uuid.UUID, CaseFacts]:
    """Read unlocked cases into facts (every sealed value is decrypted here, once)."""
    cases = list(cases)
    file_names: dict[uuid.UUID, list[str]] = {case.id: [] for case in cases}
    for document in session.scalars(select(Document).where(Document.case_id.in_(list(file_names)))):
        file_names[document.case_id].append(document.filename or "")
    return {case.id: case_facts(case, file_names[case.id]) for case in cases}


def case_facts(case: Case, file_names: Iterable[str]) -> CaseFacts:
    """The facts of one unlocked case whose documents have ``file_names``."""
    people = []
    bidi = sum(1 for name in file_names if has_bidi_controls(name))
    for person in case.people:
        # Either may be missing (the Latin spelling is optional), and a name may have one
        # word: each name given is screened and indexed on its own.
        native, latin = person.full_name, person.full_name_latin
        bidi += sum(1 for name in (native, latin) if has_bidi_controls(name))
        born = person.birth_date
        people.append(
            PersonFacts(
                id=person.id,
                relation=person.relation,
                born=parse_approximate_date(born),
                name_keys=tuple(name_keys(name) for name in (native, latin) if name),
                birth_date=born,
                document_key=document_number_key(person.document_number or ""),
                identity_document=person.identity_document,
                sworn_declaration=person.sworn_declaration,
            )
        )
    employments = tuple(
        EmploymentFacts(
            employer=job.employer or "",
            started=parse_approximate_date(job.started_on),
            ended=parse_approximate_date(job.ended_on),
        )
        for job in case.employments
    )
    return CaseFacts(
        programme=case.programme,
        people=tuple(people),
        employments=employments,
        risk_profile=tuple(str(code) for code in case.risk_profile or ()),
        submitted_at=case.submitted_at,
        bidi_texts=bidi,
        phone=(case.contact or {}).get("phone"),
    )
