"""The retention schedule: closed cases crypto-shredded, abandoned drafts deleted.

A closed case (rejected, arrived, withdrawn) is shredded ``PORTAL_RETENTION_CLOSED_DAYS``
after it closed: its keys, blind indexes and documents go, its clear columns stay for the
reports, its audit trail stays. A draft nobody has opened for ``PORTAL_RETENTION_DRAFT_DAYS``
is deleted outright with its documents: it was never submitted, so nothing about it is
anyone's record but the applicant's. Both are written to the shred ledger
(``portal.core.shred_ledger``), and ``reapply`` carries out every shred the ledger holds
again, after a restore has brought an older database back. docs/operations.md, "Backups
and retention", says why and how.

Each function works in batches and commits each batch: a run over years of closed cases
would otherwise hold its locks for minutes, and one interrupted keeps what it finished.
"""

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, delete, exists, func, or_, select

from portal.cases import custody
from portal.cases.lifecycle import CLOSED
from portal.cases.models import BlindIndex, Case, KeyWrap
from portal.cases.states import ActorKind, CaseStatus
from portal.core import shred_ledger
from portal.core.audit import AuditEvent, record_event
from portal.core.db import DbSession, utcnow
from portal.core.unit_of_work import after_commit

BATCH_SIZE = 200
_IN_CHUNK = 500  # ids in one IN (...) list


@dataclass
class RetentionReport:
    reapplied: int = 0
    shredded: int = 0
    drafts_deleted: int = 0

    def __bool__(self) -> bool:
        return bool(self.reapplied or self.shredded or self.drafts_deleted)

    def __str__(self) -> str:  # counts only: no case is named in a log
        return (
            f"{self.shredded} closed cases shredded, {self.drafts_deleted} abandoned drafts "
            f"deleted, {self.reapplied} shreds re-applied from the ledger"
        )


def shred_closed_cases(
    session: DbSession, *, closed_days: int, now: datetime, batch_size: int = BATCH_SIZE
) -> int:
    """Shred every closed case that closed more than ``closed_days`` ago; return how many."""
    cutoff = now - timedelta(days=closed_days)
    due = (
        select(Case)
        .where(Case.status.in_(CLOSED), Case.shredded_at.is_(None), Case.status_changed_at < cutoff)
        .order_by(Case.status_changed_at)
        .limit(batch_size)
        # Two workers' timers may run at once: each takes cases the other has not.
        .with_for_update(skip_locked=True)
    )
    done = 0
    while batch := list(session.scalars(due)):
        for case in batch:
            custody.shred(session, case, actor_kind=ActorKind.SYSTEM, reason="retention")
        session.commit()  # per batch: see the module's docstring
        done += len(batch)
    return done


def _last_opened() -> ScalarSelect[datetime]:
    """When anyone last opened a case: each sign-in leaves an audit event, and an
    applicant's session ends after 30 minutes without a request."""
    return select(func.max(AuditEvent.at)).where(AuditEvent.case_id == Case.id).scalar_subquery()


def delete_abandoned_drafts(
    session: DbSession, *, draft_days: int, now: datetime, batch_size: int = BATCH_SIZE
) -> int:
    """Delete every draft created and last opened more than ``draft_days`` ago, with its
    documents; return how many."""
    cutoff = now - timedelta(days=draft_days)
    due = (
        select(Case.id)
        .where(
            Case.status == CaseStatus.DRAFT,
            Case.created_at < cutoff,
            func.coalesce(_last_opened(), Case.created_at) < cutoff,
        )
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    done = 0
    while batch := list(session.scalars(due)):
        for case_id in batch:
            custody.promise_to_ledger(session, case_id, shred_ledger.DELETED)
            record_event(
                session,
                "case.deleted",
                actor_kind=ActorKind.SYSTEM,
                case_id=case_id,
                reason="abandoned_draft",
            )
        _delete_cases(session, batch)
        session.commit()  # per batch: see the module's docstring
        done += len(batch)
    return done


def _delete_cases(session: DbSession, case_ids: list[uuid.UUID]) -> None:
    """Delete the rows (everything a case owns goes with it, by the foreign keys' cascade)
    and, once that has committed, their blobs."""
    session.execute(
        delete(Case).where(Case.id.in_(case_ids)), execution_options={"synchronize_session": False}
    )
    store = custody.blob_store()
    for case_id in case_ids:
        after_commit(session, partial(store.delete_case, case_id))


def _chunks(ids: Iterable[uuid.UUID], size: int) -> Iterator[list[uuid.UUID]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _holds_anything() -> ColumnElement[bool]:
    return or_(
        Case.shredded_at.is_(None),
        exists().where(KeyWrap.case_id == Case.id),
        exists().where(BlindIndex.case_id == Case.id),
    )


def reapply(session: DbSession, ledger: shred_ledger.Ledger) -> int:
    """Carry out every shred and deletion in ``ledger`` that the database has not (it was
    restored from a backup older than them), and delete their blobs wherever a restored
    blob store brought them back; return how many cases were shredded or deleted again.

    Only properly signed lines are in ``ledger.entries``: a forged one shreds nothing.
    """
    deleted = ledger.case_ids(shred_ledger.DELETED)
    shredded = ledger.case_ids(shred_ledger.SHREDDED) - deleted
    done = 0
    for chunk in _chunks(deleted, _IN_CHUNK):
        present = list(session.scalars(select(Case.id).where(Case.id.in_(chunk))))
        for case_id in present:
            record_event(
                session,
                "case.deleted",
                actor_kind=ActorKind.SYSTEM,
                case_id=case_id,
                source="shred_ledger",
            )
        if present:
            _delete_cases(session, present)
        session.commit()  # per batch: see the module's docstring
        done += len(present)
    for chunk in _chunks(shredded, _IN_CHUNK):
        readable = list(session.scalars(select(Case).where(Case.id.in_(chunk), _holds_anything())))
        for case in readable:
            custody.shred(session, case, actor_kind=ActorKind.SYSTEM, from_ledger=True)
        session.commit()  # per batch: see the module's docstring
        done += len(readable)
    store = custody.blob_store()
    for case_id in deleted | shredded:
        store.delete_case(case_id)  # the ledger alone decides: no commit to wait for
    return done


def unapplied(session: DbSession, ledger: shred_ledger.Ledger) -> list[str]:
    """What keeps the service from starting safely: the ledger's own problems, cases it
    says are gone that the database or the blob store still holds, and shredded cases
    the ledger does not know of (lines lost from its end). Counts only, no case named."""
    problems = list(ledger.problems)
    deleted = ledger.case_ids(shred_ledger.DELETED)
    shredded = ledger.case_ids(shred_ledger.SHREDDED) - deleted
    still_there = sum(
        session.scalar(select(func.count()).select_from(Case).where(Case.id.in_(chunk))) or 0
        for chunk in _chunks(deleted, _IN_CHUNK)
    )
    still_readable = sum(
        session.scalar(
            select(func.count()).select_from(Case).where(Case.id.in_(chunk), _holds_anything())
        )
        or 0
        for chunk in _chunks(shredded, _IN_CHUNK)
    )
    store = custody.blob_store()
    blobs_left = sum(1 for case_id in deleted | shredded if store.holds_case(case_id))
    unknown = sum(
        1
        for case_id in session.scalars(select(Case.id).where(Case.shredded_at.is_not(None)))
        if case_id not in shredded
    )
    for count, what in (
        (still_there, "deleted drafts the ledger lists are in the database again"),
        (still_readable, "shredded cases the ledger lists still have keys or indexes"),
        (blobs_left, "cases the ledger lists still have documents in the blob store"),
        (unknown, "shredded cases are missing from the ledger (lines lost from its end?)"),
    ):
        if count:
            problems.append(f"{count} {what}")
    return problems


def configured_ledger() -> shred_ledger.Ledger:
    """The ledger at ``PORTAL_SHRED_LEDGER_PATH``, its lines checked with the key."""
    return shred_ledger.read_ledger(
        current_app.config["PORTAL_SHRED_LEDGER_PATH"],
        custody.keyring().audit_checkpoint_public_key(),
    )


def run(session: DbSession, *, now: datetime | None = None) -> RetentionReport:
    """Re-apply the ledger, then shred and delete what is due, as configured."""
    now = now or utcnow()
    config = current_app.config
    report = RetentionReport(reapplied=reapply(session, configured_ledger()))
    report.shredded = shred_closed_cases(
        session, closed_days=config["PORTAL_RETENTION_CLOSED_DAYS"], now=now
    )
    report.drafts_deleted = delete_abandoned_drafts(
        session, draft_days=config["PORTAL_RETENTION_DRAFT_DAYS"], now=now
    )
    return report
