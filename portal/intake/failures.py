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
from portal.core.i18n import _ls
from portal.core.refusal import ActionRefused
from portal.core.unit_of_work import after_commit
from portal.intake import outbox, queue
from portal.intake.models import OutboxEntry

GAVE_UP, WILL_RETRY = "gave_up", "will_retry"
WAITING_FOR_INTAKE = (CaseStatus.SUBMITTED, CaseStatus.SCREENING)


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


def retry_job(
    session: DbSession,
    case_id: uuid.UUID,
    *,
    actor_kind: ActorKind = ActorKind.SYSTEM,
    actor_id: uuid.UUID | None = None,
) -> None:
    """Give a case's intake a fresh set of attempts; it is enqueued after the commit (if
    Redis does not answer then, the relay enqueues it when Redis is back)."""
    case = session.get(Case, case_id, populate_existing=True)  # fresh row_version
    if case is None or case.status not in WAITING_FOR_INTAKE:
        raise ActionRefused(_ls("There is nothing to retry for this case."))
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
    # RQ's record of the failure goes first, so the job enqueued after it starts afresh.
    after_commit(session, lambda: _forget_failure(case_id))
    if entry is None:  # promised work lost somehow: promise it again
        entry = outbox.promise(session, queue.INTAKE_JOB, case_id)
    else:
        outbox.enqueue_after_commit(session, queue.INTAKE_JOB, case_id)
    entry.attempts, entry.failed_at, entry.enqueued_at, entry.last_error = 0, None, None, None
    if case.screening_status == ScreeningStatus.FAILED:
        case.screening_status = ScreeningStatus.PENDING
    record_event(
        session, "intake.retried", actor_kind=actor_kind, actor_id=actor_id, case_id=case_id
    )


def _forget_failure(case_id: uuid.UUID) -> None:
    try:
        registry = FailedJobRegistry(queue=queue.intake_queue())
        registry.remove(queue.job_id(queue.INTAKE_JOB, case_id))
    except redis.RedisError:
        pass  # enqueuing fails the same way; the relay enqueues it later
