"""The transactional outbox: promise work with the data, hand it to Redis after commit."""

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
from portal.intake import queue
from portal.intake.models import OutboxEntry

log = logging.getLogger(__name__)
RELAY_LOCK = "portal:relay-lock"
# Jobs in these states will still run or are running: leave them alone.
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def promise(session: DbSession, job: str, case_id: uuid.UUID) -> OutboxEntry:
    """Record work to do in the caller's transaction (commit makes the promise)."""
    entry = OutboxEntry(case_id=case_id, job=job)
    session.add(entry)
    return entry


def dispatch(session: DbSession, entry: OutboxEntry) -> bool:
    """After commit: try to enqueue now. If Redis is down the relay does it later."""
    try:
        queue.enqueue(entry.job, entry.case_id)
    except redis.RedisError as exc:
        # Only the exception's class: a message could carry connection details.
        log.warning(
            "outbox %s not enqueued (%s); the relay will retry", entry.id, type(exc).__name__
        )
        return False
    entry.enqueued_at = utcnow()
    entry.attempts += 1
    # Its own small commit, after the caller's: the job is in Redis now, whatever the
    # caller does next, and the row must say so (the relay counts attempts by it).
    session.commit()
    return True


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
    # Committed at once, like dispatch: what the relay did to one entry stands, whatever
    # happens to the next.
    session.commit()
    log.warning("outbox %s: given up after %s attempts", entry.id, entry.attempts)


def relay(
    session: DbSession, *, batch_size: int = 1000, now: datetime | None = None
) -> RelayReport:
    """Enqueue what was promised but is not in the queue. One relay runs at a time.

    ``now`` stands in for the clock, so tests can let abandoned jobs expire.
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
            if not first_time and not _job_is_lost(entry, stale_before):
                report.waiting += 1
            elif dispatch(session, entry):
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
                report.failed += 1
    finally:
        lock.release()
    return report
