"""Keeping the time-waiting points of open cases current (docs/screening.md, "Time waiting").

The intake job scores a case once; every full month a case then waits is worth one more
point, up to 12. This step finds, in SQL, the open cases whose assessment in force counts
other months than have passed, and brings that assessment's ``time_waiting`` line, its
``priority_score`` and the case's ``priority_score`` up to date, in batches. It reads the
submission time and the clear ``reasons`` of the assessment only: nothing is decrypted.

Running it twice changes nothing: a case is picked only while its stored month count
differs from the current one. Month counts change at midnight UTC, so the worker runs
it once a day (``RescoreSchedule``); ``flask --app wsgi queue rescore`` runs it at once.
"""

import typing
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql

from portal.cases.models import Case, RiskAssessment, in_force
from portal.cases.states import OPEN_STATUSES, CaseStatus
from portal.core.db import DbSession, utcnow
from portal.intake import reasons as R
from portal.intake.priority import months_waited, with_time_waiting

BATCH_SIZE = 500  # cases written and committed at once
WINDOW = 5000  # cases looked at by one query
_NOT_OPEN = tuple(status for status in CaseStatus if status not in OPEN_STATUSES)


@dataclass(frozen=True)
class RescoreReport:
    updated: int  # cases whose time-waiting points or month count changed
    batches: int  # batches that changed something


def _months_since(submitted_at: Any, now: datetime, dialect: str) -> ColumnElement[int]:
    """``priority.months_waited`` in SQL: calendar months, less one if the day of the month
    of ``now`` comes before that of the submission (UTC on both backends)."""
    if dialect == "postgresql":
        submitted_at = func.timezone("UTC", submitted_at)  # timestamptz to UTC wall time
    year, month, day = (
        cast(extract(field, submitted_at), Integer) for field in ("year", "month", "day")
    )
    return (now.year - year) * 12 + (now.month - month) - case((day > now.day, 1), else_=0)


def _stored_months(dialect: str) -> ColumnElement[int]:
    """The months of the stored time-waiting line (none: 0), read inside the database, so
    the cases already up to date are never sent to Python. JSON arrays are taken apart
    differently by each dialect; the cast lets PostgreSQL read json and jsonb alike."""
    if dialect == "sqlite":
        reason = func.json_each(RiskAssessment.reasons).table_valued("value").alias("reason")
        code: ColumnElement[Any] = func.json_extract(reason.c.value, "$.code")
        months: ColumnElement[Any] = func.json_extract(reason.c.value, "$.params.months")
    else:  # PostgreSQL, the other backend the configuration admits
        reason = (
            func.json_array_elements(cast(RiskAssessment.reasons, postgresql.JSON))
            .table_valued("value")
            .alias("reason")
        )
        code = reason.c.value.op("->>")("code")
        months = reason.c.value.op("->")("params").op("->>")("months")
    stored = select(cast(months, Integer)).where(code == R.TIME_WAITING).limit(1)
    return func.coalesce(stored.scalar_subquery(), 0)


def _window_end(session: DbSession, after: uuid.UUID | None, size: int) -> uuid.UUID | None:
    """The id ``size`` cases past ``after``, or None if fewer are left.

    Batches are windows of the primary key, whatever their cases' status: a walk of that
    index costs the same on every backend, where "the next open cases in id order" lets
    a planner take the status index and sort all the open cases for every batch.
    """
    query = select(Case.id).order_by(Case.id).offset(size - 1).limit(1)
    if after is not None:
        query = query.where(Case.id > after)
    return session.scalar(query)


def _stale_in_force(
    dialect: str, now: datetime, after: uuid.UUID | None, until: uuid.UUID | None
) -> Any:
    """Open cases with ids past ``after`` up to ``until`` whose assessment in force counts
    other months than have passed."""

    # The window is given to every table, so each is read from its index within it only.
    def window(column: Any) -> Any:
        return and_(
            (column > after) if after is not None else true(),
            (column <= until) if until is not None else true(),
        )

    return (
        select(
            Case.id,
            Case.submitted_at,
            RiskAssessment.id.label("assessment_id"),
            RiskAssessment.reasons,
        )
        .join(RiskAssessment, RiskAssessment.case_id == Case.id)
        .where(
            window(Case.id),
            window(RiskAssessment.case_id),
            # "Not closed" rather than "open": the same cases, but a condition no index
            # serves, so SQLite walks the window of the primary key instead of reading
            # every open case from the status index for each window.
            Case.status.not_in(_NOT_OPEN),
            Case.submitted_at <= now,
            in_force(RiskAssessment, lambda newer: window(newer.case_id)),
            _stored_months(dialect) != _months_since(Case.submitted_at, now, dialect),
        )
    )


def rescore_time_waiting(
    session: DbSession,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    window: int = WINDOW,
) -> RescoreReport:
    """Bring the time-waiting points of open cases up to date.

    Cases are looked at ``window`` at a time (by id, see ``_window_end``); the ones behind
    are written and committed ``batch_size`` at a time.
    """
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    assessments = typing.cast(Table, RiskAssessment.__table__)
    cases = typing.cast(Table, Case.__table__)
    # Each batch: one executemany for the assessments, each with its own reasons, and one
    # statement for the cases. Core statements, so the case's row_version is left alone on
    # purpose: this is a derived number, and bumping it would make a caseworker's
    # concurrent, unrelated change fail. A staff change racing this one copies the reasons
    # it read; the next run finds them behind and brings them up to date.
    set_assessment = (
        update(assessments)
        .where(
            assessments.c.id == bindparam("b_assessment"),
            # Still in force: one that a concurrent change put above it stays history.
            in_force(assessments.c),
        )
        .values(
            reasons=bindparam("b_reasons", type_=assessments.c.reasons.type),
            priority_score=bindparam("b_score"),
        )
    )
    # The case's score is the score of its assessment in force, whichever that is by now.
    in_force_score = (
        select(RiskAssessment.priority_score)
        .where(RiskAssessment.case_id == cases.c.id, in_force())
        .scalar_subquery()
    )
    updated = batches = 0
    after: uuid.UUID | None = None
    while True:
        until = _window_end(session, after, window)
        stale = session.execute(_stale_in_force(dialect, now, after, until)).all()
        for start in range(0, len(stale), batch_size):
            rows = stale[start : start + batch_size]
            changes = []
            for row in rows:
                months = months_waited(row.submitted_at, now)
                reasons = with_time_waiting(list(row.reasons), months)
                changes.append(
                    {
                        "b_assessment": row.assessment_id,
                        "b_reasons": reasons,
                        "b_score": sum(int(reason.get("points", 0)) for reason in reasons),
                    }
                )
            session.execute(set_assessment, changes)
            session.execute(
                update(cases)
                .where(cases.c.id.in_([row.id for row in rows]))
                .values(priority_score=in_force_score)
            )
            # A batch a transaction: row locks are held for one batch, not for every open
            # case, and a run cut short keeps what it did (the next run finds the rest).
            session.commit()
            updated, batches = updated + len(rows), batches + 1
        session.rollback()  # ends the read transaction of a window with nothing to write
        if until is None:
            break
        after = until
    return RescoreReport(updated=updated, batches=batches)


class RescoreSchedule:
    """When the worker re-scores: on its first check, then once each UTC day.

    Month counts only change when the UTC date does, so the checks in between cost
    nothing: not even a query. A run that failed is tried again at the next check.
    """

    def __init__(self) -> None:
        self.done_on: date | None = None

    def due(self, now: datetime) -> bool:
        return self.done_on != now.date()

    def run(self, session: DbSession, now: datetime | None = None) -> RescoreReport | None:
        now = now or utcnow()
        if not self.due(now):
            return None
        report = rescore_time_waiting(session, now=now)
        self.done_on = now.date()
        return report
