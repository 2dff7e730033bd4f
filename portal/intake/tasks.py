"""RQ jobs. They take a case id, run inside the worker's app context, commit their own
work, and leave the same result however often they run."""

import logging
import uuid

from sqlalchemy import select

from portal.cases.custody import open_with_intake_key
from portal.cases.lifecycle import transition
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus
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
    case = session.get(Case, case_id)
    if case is None or case.status not in WAITING_FOR_INTAKE or case.shredded_at:
        if case is not None:
            outbox.complete(session, "intake", case.id)
            session.commit()
        log.info("intake %s: nothing to do", case_id)
        return "skipped"
    if case.status == CaseStatus.SUBMITTED:
        # Committed on its own so staff can see that screening has started.
        transition(session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
        session.commit()
    lock_for_linking(session)
    open_with_intake_key(session, case, actor_kind=ActorKind.SYSTEM, purpose="intake")
    indexes = index_case(session, case)
    # Nothing the screening reads is pending in the session, so its changes to the case
    # can wait for one flush instead of one per statement.
    with session.no_autoflush:
        assessment = screen_case(session, case, indexes)
    transition(session, case, CaseStatus.IN_REVIEW, actor_kind=ActorKind.SYSTEM)
    outbox.complete(session, "intake", case.id)
    session.commit()
    log.info("intake %s: in review, screening %s", case_id, assessment.screening_status)
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
