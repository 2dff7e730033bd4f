"""Intake work that failed: listed for operators and admins, and retried on request.

Two kinds: outbox rows the relay gave up on (attempts used up; the case shows "screening
failed"), and jobs RQ failed that the relay will retry after its pause.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

import redis
from rq.registry import FailedJobRegistry
from sqlalchemy import or_, select

from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus, ScreeningStatus
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.intake import outbox, queue
from portal.intake.models import OutboxEntry

GAVE_UP, WILL_RETRY = "gave_up", "will_retry"
WAITING_FOR_INTAKE = (CaseStatus.SUBMITTED, CaseStatus.SCREENING)


class NothingToRetryError(ValueError):
    """The case has no unfinished intake work."""


@dataclass(frozen=True)
class FailedJob:
    case_id: uuid.UUID
    reference: str
    attempts: int
    last_error: str | None
    failed_at: datetime | None
    state: str  # GAVE_UP or WILL_RETRY


def _failed_in_rq() -> set[uuid.UUID]:
    try:
        job_ids = FailedJobRegistry(queue=queue.intake_queue()).get_job_ids()
    except redis.RedisError:
        return set()  # Redis is down: list what the database knows
    found = (queue.case_of(queue.INTAKE_JOB, job_id) for job_id in job_ids)
    return {case_id for case_id in found if case_id is not None}  # None: not one of ours


def list_failed_jobs(session: DbSession, max_attempts: int) -> list[FailedJob]:
    """Every unfinished intake whose job failed, given-up ones first, oldest first."""
    in_rq = _failed_in_rq()
    rows = session.execute(
        select(OutboxEntry, Case.reference)
        .join(Case, Case.id == OutboxEntry.case_id)
        .where(
            OutboxEntry.job == queue.INTAKE_JOB,
            OutboxEntry.completed_at.is_(None),
            or_(
                OutboxEntry.failed_at.is_not(None),
                OutboxEntry.attempts >= max_attempts,
                OutboxEntry.case_id.in_(in_rq),
            ),
        )
        .order_by(OutboxEntry.failed_at.is_(None), OutboxEntry.created_at)
    ).all()
    return [
        FailedJob(
            case_id=entry.case_id,
            reference=reference,
            attempts=entry.attempts,
            last_error=entry.last_error,
            failed_at=entry.failed_at,
            state=GAVE_UP if entry.failed_at or entry.attempts >= max_attempts else WILL_RETRY,
        )
        for entry, reference in rows
    ]


def reopen_intake(
    session: DbSession,
    case_id: uuid.UUID,
    *,
    actor_kind: ActorKind = ActorKind.SYSTEM,
    actor_id: uuid.UUID | None = None,
) -> OutboxEntry:
    """Give a case's intake a fresh set of attempts, in the caller's transaction.

    Once the caller has committed, ``enqueue_retried`` hands the entry to Redis.
    """
    case = session.get(Case, case_id, populate_existing=True)  # fresh row_version
    if case is None or case.status not in WAITING_FOR_INTAKE:
        raise NothingToRetryError("this case has no intake to retry")
    entry = session.scalar(
        select(OutboxEntry)
        .where(
            OutboxEntry.case_id == case_id,
            OutboxEntry.job == queue.INTAKE_JOB,
            OutboxEntry.completed_at.is_(None),
        )
        .order_by(OutboxEntry.created_at.desc())
        .limit(1)
    )
    if entry is None:  # promised work lost somehow: promise it again
        entry = outbox.promise(session, queue.INTAKE_JOB, case_id)
    entry.attempts, entry.failed_at, entry.enqueued_at, entry.last_error = 0, None, None, None
    if case.screening_status == ScreeningStatus.FAILED:
        case.screening_status = ScreeningStatus.PENDING
    record_event(
        session, "intake.retried", actor_kind=actor_kind, actor_id=actor_id, case_id=case_id
    )
    return entry


def enqueue_retried(session: DbSession, entry: OutboxEntry) -> bool:
    """After the commit: take the job out of RQ's failed jobs and enqueue it now.

    Returns whether it reached Redis (if not, the relay enqueues it when Redis is back).
    """
    try:
        FailedJobRegistry(queue=queue.intake_queue()).remove(queue.job_id(entry.job, entry.case_id))
    except redis.RedisError:
        pass  # the dispatch below fails the same way; the relay enqueues it later
    return outbox.dispatch(session, entry)


def retry_job(
    session: DbSession,
    case_id: uuid.UUID,
    *,
    actor_kind: ActorKind = ActorKind.SYSTEM,
    actor_id: uuid.UUID | None = None,
) -> bool:
    """``reopen_intake``, committed, then ``enqueue_retried``, for a caller that does not
    commit itself; returns whether the job reached Redis."""
    entry = reopen_intake(session, case_id, actor_kind=actor_kind, actor_id=actor_id)
    session.commit()
    return enqueue_retried(session, entry)
