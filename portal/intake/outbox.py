"""The transactional outbox: promise work with the data, hand it to Redis after commit.

The request (or command) that promises work commits once; the job is handed to Redis after
that commit and the row is not written again then. The relay stamps the row when it finds
the job in the queue, and enqueues what is missing.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from flask import current_app
from rq.job import JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import or_, select, update

from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus, ScreeningStatus
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow
from portal.core.redis import get_redis
from portal.core.unit_of_work import after_commit
from portal.intake import queue
from portal.intake.models import OutboxEntry

log = logging.getLogger(__name__)
RELAY_LOCK = "portal:relay-lock"
# Jobs in these states will still run or are running: leave them alone.
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def promise(session: DbSession, job: str, case_id: uuid.UUID) -> OutboxEntry:
    """Record work to do in the caller's transaction (commit makes the promise), and hand
    it to Redis once that commit is made."""
    entry = OutboxEntry(case_id=case_id, job=job)
    session.add(entry)
    enqueue_after_commit(session, job, case_id)
    return entry


def enqueue_after_commit(session: DbSession, job: str, case_id: uuid.UUID) -> None:
    """Hand ``job`` to Redis once the caller's transaction has committed."""
    after_commit(session, lambda: try_enqueue(job, case_id))


def try_enqueue(job: str, case_id: uuid.UUID) -> bool:
    """Enqueue now, if Redis answers; if not, the relay does it later."""
    try:
        queue.enqueue(job, case_id)
    except redis.RedisError as exc:
        # Only the exception's class: a message could carry connection details.
        log.warning("%s job not enqueued (%s); the relay will retry", job, type(exc).__name__)
        return False
    return True


def dispatch(entry: OutboxEntry) -> bool:
    """The relay's enqueue: enqueue now and stamp the row (the relay commits it)."""
    if not try_enqueue(entry.job, entry.case_id):
        return False
    _stamp(entry)
    return True


def _stamp(entry: OutboxEntry) -> None:
    entry.enqueued_at = utcnow()
    entry.attempts += 1


def complete(session: DbSession, job: str, case_ids: Iterable[uuid.UUID]) -> None:
    """Mark the cases' open outbox entries for ``job`` done (in the job's transaction)."""
    session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.case_id.in_(list(case_ids)),
            OutboxEntry.job == job,
            OutboxEntry.completed_at.is_(None),
        )
        .values(completed_at=utcnow())
    )


@dataclass
class RelayReport:
    enqueued: int = 0  # promised work that had never reached Redis
    requeued: int = 0  # work whose job vanished, failed or was abandoned by a dead worker
    waiting: int = 0  # work whose job is queued or running
    failed: int = 0  # work given up after PORTAL_MAX_JOB_ATTEMPTS: the case shows it


def _job_is_lost(entry: OutboxEntry, stale_before: datetime) -> bool:
    job = queue.fetch(entry.job, entry.case_id)
    if job is None:  # Redis lost it: flushed, or restarted without persistence
        return True
    if job.get_status(refresh=False) in LIVE_STATES:
        return False
    # Failed, stopped, or finished without completing the entry: try again after a pause.
    return entry.enqueued_at is not None and entry.enqueued_at < stale_before


def _job_is_live(entry: OutboxEntry) -> bool:
    job = queue.fetch(entry.job, entry.case_id)
    return job is not None and job.get_status(refresh=False) in LIVE_STATES


def give_up(session: DbSession, entry: OutboxEntry) -> None:
    """Stop retrying: the case stays where it is, visible to staff as "screening failed"."""
    entry.failed_at = utcnow()
    case = session.get(Case, entry.case_id, populate_existing=True)  # fresh row_version
    if case is not None and case.status in (CaseStatus.SUBMITTED, CaseStatus.SCREENING):
        case.screening_status = ScreeningStatus.FAILED
    record_event(
        session,
        "intake.failed",
        actor_kind=ActorKind.SYSTEM,
        case_id=entry.case_id,
        attempts=str(entry.attempts),
        error=entry.last_error or "unknown",
    )
    log.warning("outbox %s: given up after %s attempts", entry.id, entry.attempts)


def relay(
    session: DbSession, *, batch_size: int = 1000, now: datetime | None = None
) -> RelayReport:
    """Enqueue what was promised but is not in the queue. One relay runs at a time.

    A batch job: it commits after each row it changes, so that the rows keep step with
    what it did in Redis. ``now`` stands in for the clock, so tests can let abandoned
    jobs expire.
    """
    now = now or utcnow()
    report = RelayReport()
    lock = get_redis().lock(RELAY_LOCK, timeout=300, blocking=False)
    if not lock.acquire():
        return report
    try:
        # Jobs of a worker that died without a heartbeat move to the failed registry.
        StartedJobRegistry(queue=queue.intake_queue()).cleanup(timestamp=now.timestamp())
        config = current_app.config
        stale_before = now - timedelta(seconds=config["PORTAL_RELAY_STALE_SECONDS"])
        unfinished = session.scalars(
            select(OutboxEntry)
            .where(
                OutboxEntry.completed_at.is_(None),
                OutboxEntry.failed_at.is_(None),
                or_(
                    OutboxEntry.enqueued_at.is_(None),
                    OutboxEntry.attempts < config["PORTAL_MAX_JOB_ATTEMPTS"],
                ),
            )
            .order_by(OutboxEntry.created_at)
            .limit(batch_size)
        ).all()
        for entry in unfinished:
            first_time = entry.enqueued_at is None
            if first_time and queue.fetch(entry.job, entry.case_id) is not None:
                # Handed over after its commit: from now on it is watched like any other.
                _stamp(entry)
                session.commit()
                report.waiting += 1
            elif not first_time and not _job_is_lost(entry, stale_before):
                report.waiting += 1
            elif dispatch(entry):
                session.commit()
                if first_time:
                    report.enqueued += 1
                else:
                    report.requeued += 1
        exhausted = session.scalars(
            select(OutboxEntry)
            .where(
                OutboxEntry.completed_at.is_(None),
                OutboxEntry.failed_at.is_(None),
                OutboxEntry.enqueued_at.is_not(None),
                OutboxEntry.attempts >= config["PORTAL_MAX_JOB_ATTEMPTS"],
            )
            .order_by(OutboxEntry.created_at)
            .limit(batch_size)
        ).all()
        for entry in exhausted:
            # The last attempt may still be queued or running; anything else is the end.
            if _job_is_live(entry):
                report.waiting += 1
            else:
                give_up(session, entry)
                session.commit()
                report.failed += 1
    finally:
        lock.release()
    return report
