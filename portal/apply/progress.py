"""The task list: which sections an application has and how far each one is."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import object_session

from portal.cases.models import Case, Document
from portal.cases.states import IdentityDocument, Programme, Relationship


class Progress(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OPTIONAL = "optional"


def _filled(*values: Any) -> Progress:
    present = [value is not None and value != "" for value in values]
    if all(present):
        return Progress.COMPLETED
    return Progress.IN_PROGRESS if any(present) else Progress.NOT_STARTED


def _personal(case: Case) -> Progress:
    person = case.principal
    if person is None:
        return Progress.NOT_STARTED
    # A name in any form: the form asks for it as the documents write it, but a case made
    # otherwise (demo data, tests of screening) may carry only a Latin spelling.
    name = person.given_names or person.given_names_latin
    return _filled(name, person.place_of_birth, case.nationality, person.place_of_stay)


def _identity(case: Case) -> Progress:
    person = case.principal
    if person is None or person.identity_document is None:
        return Progress.NOT_STARTED
    if person.identity_document == IdentityDocument.NONE:
        return _filled(person.declaration_signature)
    return _filled(person.document_number)


def _employment(case: Case) -> Progress:
    return Progress.COMPLETED if case.employments else Progress.NOT_STARTED


def _risk(case: Case) -> Progress:
    return _filled(case.risk_profile, case.threat_description)


def uploaded_documents(case: Case) -> list[Document]:
    """The documents of a case, oldest first."""
    session = object_session(case)
    if session is None:
        return []
    query = select(Document).where(Document.case_id == case.id).order_by(Document.created_at)
    return list(session.scalars(query))


def _family(case: Case) -> Progress:
    # Each member is saved only once all their answers are valid, so one is a finished
    # section; with none it stays optional (many apply alone).
    members = [person for person in case.people if person.relation != Relationship.PRINCIPAL]
    return Progress.COMPLETED if members else Progress.OPTIONAL


def _documents(case: Case) -> Progress:
    return Progress.COMPLETED if uploaded_documents(case) else Progress.OPTIONAL


def _declarations(case: Case) -> Progress:
    return Progress.COMPLETED if case.declarations_confirmed_at else Progress.NOT_STARTED


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translated string
    endpoint: str
    progress: Callable[[Case], Progress]
    required: bool = True


PERSONAL = Section("personal", _l("Personal details"), "apply.edit_names", _personal)
IDENTITY = Section("identity", _l("Identity"), "apply.edit_identity", _identity)
EMPLOYMENT = Section(
    "employment", _l("Work for German institutions"), "apply.list_employment", _employment
)
RISK = Section("risk", _l("Your risk and the threat"), "apply.edit_risk", _risk)
FAMILY = Section("family", _l("Family members"), "apply.list_family", _family, False)
DOCUMENTS = Section("documents", _l("Documents"), "apply.list_documents", _documents, False)
DECLARATIONS = Section(
    "declarations", _l("Declarations and consent"), "apply.edit_declarations", _declarations
)


def sections(case: Case) -> list[Section]:
    middle = EMPLOYMENT if case.programme == Programme.LOCAL_STAFF else RISK
    return [PERSONAL, IDENTITY, middle, FAMILY, DOCUMENTS, DECLARATIONS]


def ready_to_submit(case: Case) -> bool:
    return all(
        section.progress(case) == Progress.COMPLETED
        for section in sections(case)
        if section.required
    )
