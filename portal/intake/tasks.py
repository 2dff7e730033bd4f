"""RQ jobs. They take a case id, run inside the worker's app context, commit their own
work, and leave the same result however often they run."""

import logging
import uuid

from sqlalchemy import select

from portal.cases.custody import open_with_intake_key
from portal.cases.lifecycle import transition
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus
from portal.core.audit import appending_together
from portal.extensions import db
from portal.intake import outbox
from portal.intake.duplicates import lock_for_linking
from portal.intake.indexing import index_case
from portal.intake.models import OutboxEntry
from portal.intake.screening import screen_case

log = logging.getLogger(__name__)
WAITING_FOR_INTAKE = (CaseStatus.SUBMITTED, CaseStatus.SCREENING)


class IntakeFailedError(RuntimeError):
    """Raised in place of whatever failed, carrying only that exception's class name.

    RQ logs a failed job's traceback and keeps it in Redis; an exception's message (a
    database error quotes its parameters) could carry personal data into both.
    """


def process_case(case_id: str) -> str:
    """Decrypt a submitted case, index and screen it, and hand it to review."""
    case_uuid = uuid.UUID(case_id)
    try:
        return _process(case_uuid)
    except Exception as exc:
        error = type(exc).__name__
        db.session.rollback()
        _remember_error(case_uuid, error)
        log.warning("intake %s failed: %s", case_id, error)
        raise IntakeFailedError(error) from None


def _process(case_id: uuid.UUID) -> str:
    session = db.session
    # Nothing the job reads is pending in the session, so its writes, and the audit events
    # that go with them, wait for the one flush at commit: one append to the audit chain.
    with session.no_autoflush, appending_together(session):
        # Taken first, so a second run of this job waits here and then finds the case done.
        lock_for_linking(session)
        case = session.get(Case, case_id)
        if case is None or case.status not in WAITING_FOR_INTAKE or case.shredded_at:
            if case is not None:
                outbox.complete(session, "intake", case.id)
                session.commit()
            log.info("intake %s: nothing to do", case_id)
            return "skipped"
        # One transaction from "submitted" to "in review": a job that dies half-way leaves
        # the case submitted, for the relay to hand on again; the history keeps both steps.
        if case.status == CaseStatus.SUBMITTED:
            transition(session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
        open_with_intake_key(
            session, case, actor_kind=ActorKind.SYSTEM, purpose="intake", with_staff_key=True
        )
        indexes = index_case(session, case)
        assessment = screen_case(session, case, indexes)
        transition(session, case, CaseStatus.IN_REVIEW, actor_kind=ActorKind.SYSTEM)
        outbox.complete(session, "intake", case.id)
        status = assessment.screening_status
    session.commit()
    log.info("intake %s: in review, screening %s", case_id, status)
    return "in_review"


def _remember_error(case_id: uuid.UUID, error: str) -> None:
    """Note the failure's class on the open outbox row, for `queue failed`; best effort."""
    try:
        for entry in db.session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.case_id == case_id,
                OutboxEntry.job == "intake",
                OutboxEntry.completed_at.is_(None),
            )
        ):
            entry.last_error = error[:200]
        db.session.commit()
    except Exception:  # the database may be what failed; the relay retries regardless
        db.session.rollback()
