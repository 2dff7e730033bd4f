"""RQ jobs. They take a case id, run inside the worker's app context, commit their own
work, and leave the same result however often they run.

An intake job screens the cases whose jobs are next in the queue together with its own, in
one transaction: a case then costs its own work and a share of the statements, not a job
and a transaction of its own. Their jobs are taken out of the queue after the commit."""

import logging
import uuid

import redis
from flask import current_app
from sqlalchemy import select

from portal.cases.custody import open_with_intake_keys
from portal.cases.lifecycle import transition
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus, ScreeningStatus
from portal.core.audit import appending_together
from portal.core.db import DbSession, utcnow
from portal.extensions import db
from portal.intake import outbox, queue
from portal.intake.duplicates import lock_for_linking
from portal.intake.employers import leave_ticks
from portal.intake.facts import LOAD_FOR_FACTS, facts_of
from portal.intake.indexing import index_cases
from portal.intake.models import OutboxEntry
from portal.intake.screening import screen_cases

log = logging.getLogger(__name__)
WAITING_FOR_INTAKE = (CaseStatus.SUBMITTED, CaseStatus.SCREENING)


class IntakeFailedError(RuntimeError):
    """Raised in place of whatever failed, carrying only that exception's class name.

    RQ logs a failed job's traceback and keeps it in Redis; an exception's message (a
    database error quotes its parameters) could carry personal data into both.
    """


class BatchFailedError(RuntimeError):
    """Screening a batch failed; carries the failure's class name only."""


def process_case(case_id: str) -> str:
    """Decrypt a submitted case, index and screen it, and hand it to review; with it, the
    cases whose jobs are next in the queue (``PORTAL_INTAKE_BATCH_SIZE``)."""
    case_uuid = uuid.UUID(case_id)
    try:
        try:
            return _process(case_uuid, current_app.config["PORTAL_INTAKE_BATCH_SIZE"])
        except BatchFailedError as failed:
            # One bad case must not hold up the others: this one is screened alone now,
            # the others by their own jobs, which are still queued.
            db.session.rollback()
            log.warning("intake %s: batch failed (%s); screening it alone", case_id, failed)
            return _process(case_uuid, 1)
    except Exception as exc:
        error = type(exc).__name__
        db.session.rollback()
        _remember_error(case_uuid, error)
        log.warning("intake %s failed: %s", case_id, error)
        raise IntakeFailedError(error) from None


def _process(case_id: uuid.UUID, batch_size: int) -> str:
    session = db.session
    # Nothing the job reads is pending in the session, so its writes, and the audit events
    # that go with them, wait for the one flush at commit: one append to the audit chain.
    with session.no_autoflush, appending_together(session):
        # Taken first, so a second run of this job waits here and then finds the case done.
        lock_for_linking(session)
        case = session.get(Case, case_id, options=LOAD_FOR_FACTS)
        if case is None or case.status not in WAITING_FOR_INTAKE or case.shredded_at:
            if case is not None:
                outbox.complete(session, queue.INTAKE_JOB, [case.id])
                session.commit()
            log.info("intake %s: nothing to do", case_id)
            return "skipped"
        cases = [case, *_claim_queued(session, case.id, batch_size - 1)]
        try:
            statuses = _intake(session, cases)
            session.commit()
        except Exception as exc:
            if len(cases) == 1:
                raise
            raise BatchFailedError(type(exc).__name__) from None
    others = [screened for screened in statuses if screened != case_id]
    if others:
        _discard_jobs(others)
    for screened, status in statuses.items():
        log.info("intake %s: in review, screening %s", screened, status)
    return "in_review"


def _claim_queued(session: DbSession, case_id: uuid.UUID, limit: int) -> list[Case]:
    """Cases whose intake jobs are next in the queue and still to do, locked for this job.

    A case whose intake failed before is left to its own job, so that it cannot make one
    batch after another fail. Rows another transaction holds are skipped, not waited for.
    """
    if limit < 1:
        return []
    try:
        queued = set(queue.queued_cases(queue.INTAKE_JOB, limit + 1)) - {case_id}
    except redis.RedisError:  # only an optimisation: the job's own case is enough
        return []
    if not queued:
        return []
    still_to_do = (
        select(OutboxEntry.case_id)
        .where(
            OutboxEntry.case_id.in_(queued),
            OutboxEntry.job == queue.INTAKE_JOB,
            OutboxEntry.completed_at.is_(None),
            OutboxEntry.failed_at.is_(None),
            OutboxEntry.last_error.is_(None),
        )
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Case)
            .where(
                Case.id.in_(still_to_do),
                Case.status.in_(WAITING_FOR_INTAKE),
                Case.shredded_at.is_(None),
            )
            .order_by(Case.submitted_at, Case.id)
            .limit(limit)
            .options(*LOAD_FOR_FACTS)
            .with_for_update(skip_locked=True, of=Case)
        )
    )


def _intake(session: DbSession, cases: list[Case]) -> dict[uuid.UUID, ScreeningStatus]:
    # One transaction from "submitted" to "in review": a job that dies half-way leaves
    # the cases submitted, for the relay to hand on again; the history keeps both steps.
    for case in cases:
        if case.status == CaseStatus.SUBMITTED:
            transition(session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
    open_with_intake_keys(
        session, cases, actor_kind=ActorKind.SYSTEM, purpose="intake", with_staff_key=True
    )
    facts = facts_of(session, cases)  # every sealed value the intake reads, decrypted once
    indexes = index_cases(session, cases, facts)
    assessments = screen_cases(session, cases, indexes, facts)
    leave_ticks(session, cases, facts, current_app.extensions["portal.keyring"], utcnow())
    for case in cases:
        transition(session, case, CaseStatus.IN_REVIEW, actor_kind=ActorKind.SYSTEM)
    outbox.complete(session, queue.INTAKE_JOB, [case.id for case in cases])
    return {case_id: assessment.screening_status for case_id, assessment in assessments.items()}


def _discard_jobs(case_ids: list[uuid.UUID]) -> None:
    try:
        queue.discard(queue.INTAKE_JOB, case_ids)
    except redis.RedisError as exc:  # their jobs will find their cases done
        log.warning("intake: queued jobs not discarded (%s)", type(exc).__name__)


def _remember_error(case_id: uuid.UUID, error: str) -> None:
    """Note the failure's class on the open outbox row, for `queue failed`; best effort."""
    try:
        for entry in db.session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.case_id == case_id,
                OutboxEntry.job == queue.INTAKE_JOB,
                OutboxEntry.completed_at.is_(None),
            )
        ):
            entry.last_error = error[:200]
        db.session.commit()
    except Exception:  # the database may be what failed; the relay retries regardless
        db.session.rollback()
