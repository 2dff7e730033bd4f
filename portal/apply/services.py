"""State changes of the applicant journey. Each takes the unlocked case, changes it and
leaves the commit to the request, which makes it once for all the request did."""

import uuid
from functools import partial
from typing import Any

from portal.apply.progress import ready_to_submit
from portal.apply.uploads import CleanFile
from portal.cases.lifecycle import CLOSED, transition
from portal.cases.models import Case, Document, Employment, Message, Person
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DocumentKind,
    MessageDirection,
    Relationship,
    ScreeningStatus,
)
from portal.core.audit import appending_together, record_event
from portal.core.blobstore import BlobStore
from portal.core.db import DbSession, utcnow
from portal.core.text import clean_filename
from portal.core.unit_of_work import after_commit
from portal.intake import outbox, queue


class NotEditableError(Exception):
    """The case is no longer a draft; its answers are with the consulate."""


class IncompleteError(Exception):
    """A required section is not finished yet."""


def _require_draft(case: Case) -> None:
    if case.status != CaseStatus.DRAFT:
        raise NotEditableError


def _assign(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def principal(session: DbSession, case: Case) -> Person:
    """The principal applicant's row, created on first use."""
    existing = case.principal
    if existing is not None:
        return existing
    person = Person(case=case, position=0, relation=Relationship.PRINCIPAL)
    session.add(person)
    return person


def save_principal(session: DbSession, case: Case, **values: Any) -> None:
    _require_draft(case)
    _assign(principal(session, case), values)


def save_case(session: DbSession, case: Case, **values: Any) -> None:
    _require_draft(case)
    _assign(case, values)


def _count_people(case: Case) -> None:
    case.people_count = len(case.people)


def add_family_member(session: DbSession, case: Case, **values: Any) -> Person:
    """Drafts take any member; after submission, the spouse or a child born since."""
    if case.status in CLOSED:
        raise NotEditableError
    principal(session, case)
    person = Person(case=case, position=max(p.position for p in case.people) + 1)
    session.add(person)
    _assign(person, values)
    _count_people(case)
    if case.screening_status == ScreeningStatus.CLEAR:
        _screening_pending_for(session, case)
    return person


def _screening_pending_for(session: DbSession, case: Case) -> None:
    """A person added after the intake screened the case was matched against no watch
    list: the screening is pending again, which stops an admission and a visa (the staff
    seam and the database both refuse them) until a security officer has looked and
    cleared it. A hit or a concern already stops them, and stays."""
    case.screening_status = ScreeningStatus.PENDING
    record_event(
        session,
        "case.screening_updated",
        actor_kind=ActorKind.APPLICANT,
        case_id=case.id,
        cause="person_added",
        old=str(ScreeningStatus.CLEAR),
        new=str(ScreeningStatus.PENDING),
    )


def update_family_member(session: DbSession, case: Case, person: Person, **values: Any) -> None:
    _require_draft(case)
    _assign(person, values)


def remove_family_member(session: DbSession, case: Case, person: Person) -> None:
    _require_draft(case)
    case.people.remove(person)
    _count_people(case)


def add_employment(session: DbSession, case: Case, **values: Any) -> Employment:
    _require_draft(case)
    position = max((job.position for job in case.employments), default=-1) + 1
    job = Employment(case=case, position=position)
    session.add(job)
    _assign(job, values)
    return job


def update_employment(session: DbSession, case: Case, job: Employment, **values: Any) -> None:
    _require_draft(case)
    _assign(job, values)


def remove_employment(session: DbSession, case: Case, job: Employment) -> None:
    _require_draft(case)
    case.employments.remove(job)


def confirm_declarations(session: DbSession, case: Case) -> None:
    _require_draft(case)
    case.declarations_confirmed_at = utcnow()


def submit_case(session: DbSession, case: Case) -> None:
    """Submit a draft: the case and the promise to screen it commit together.

    The job is enqueued after the commit; if Redis is down the applicant is still
    confirmed and the relay enqueues the job once Redis is back.
    """
    _require_draft(case)
    if not ready_to_submit(case):
        raise IncompleteError
    # Nothing is read back before the request commits: the event is chained by the
    # commit's flush, which holds the chain lock (shared by every submission and every
    # audited action) only from there to the commit, and flushes once instead of twice.
    with appending_together(session):
        transition(session, case, CaseStatus.SUBMITTED, actor_kind=ActorKind.APPLICANT)
        outbox.promise(session, queue.INTAKE_JOB, case.id)


def withdraw_case(session: DbSession, case: Case) -> None:
    transition(session, case, CaseStatus.WITHDRAWN, actor_kind=ActorKind.APPLICANT)


def add_document(
    session: DbSession,
    case: Case,
    *,
    kind: DocumentKind,
    filename: str,
    clean: CleanFile,
    store: BlobStore,
    message: Message | None = None,
) -> Document:
    """Encrypt a checked file into blob storage and record it (files only, never paths)."""
    if case.status in CLOSED:
        raise NotEditableError
    document = Document(
        id=uuid.uuid4(),
        case=case,
        kind=kind,
        content_type=clean.content_type,
        size_bytes=clean.size,
        uploaded_by=ActorKind.APPLICANT,
        message_id=message.id if message else None,
    )
    # The name is only ever shown, never used as a path; it is kept as it can be shown.
    document.filename = clean_filename(filename)
    # Encrypted chunk by chunk as it is read: the file is never whole in memory.
    store.put(case.sealed_cipher("case"), case.id, document.id, clean.source)
    session.add(document)
    return document


def remove_document(session: DbSession, case: Case, document: Document, store: BlobStore) -> None:
    _require_draft(case)
    session.delete(document)
    # The encrypted file goes once the row is gone for good; a rollback keeps both.
    after_commit(session, partial(store.delete, case.id, document.id))


def reply_to_consulate(
    session: DbSession, case: Case, body: str, *, in_reply_to: Message | None = None
) -> Message:
    """The applicant's message; answering the consulate's question puts the case back
    into review."""
    if case.status in CLOSED:
        raise NotEditableError
    message = Message(
        case=case,
        direction=MessageDirection.FROM_APPLICANT,
        in_reply_to_id=in_reply_to and in_reply_to.id,
    )
    message.body = body
    session.add(message)
    if case.status == CaseStatus.INFO_REQUESTED:
        transition(session, case, CaseStatus.IN_REVIEW, actor_kind=ActorKind.APPLICANT)
    # Written now: documents sent with it refer to it by id, which orders no insert.
    session.flush()
    return message


def mark_read(session: DbSession, messages: list[Message]) -> None:
    now = utcnow()
    for message in messages:
        if message.direction == MessageDirection.TO_APPLICANT and message.read_at is None:
            message.read_at = now
