"""Keeping the envoy's figures (``portal.cases.models.figures``) up to date.

Every move through the lifecycle leaves a ``CaseMove`` in the mover's own transaction, so a
move is counted if and only if it happened. ``refresh`` folds the waiting moves into the
figures of every calendar period they fall in and rebuilds the snapshot of where cases
stand, in one transaction that sees one moment of the database: the figures then agree
with each other as of ``FiguresRefresh.refreshed_at``, which the reports show.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Engine, case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from portal.cases.models import (
    Case,
    CaseMove,
    EmployerFigure,
    FiguresRefresh,
    FlowFigure,
    Grain,
    StateFigure,
    WaitFigure,
)
from portal.cases.models.figures import TO_DECISION, WAIT_BUCKET_DAYS
from portal.cases.states import CaseStatus, Programme
from portal.cases.tally import lost_a_race
from portal.core.db import DbSession

DECISIONS = (CaseStatus.ADMITTED, CaseStatus.REJECTED)
_DAY = 86400.0


# --- calendar periods ------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_start(grain: Grain, day: date) -> date:
    """The first day of the period of ``grain`` that ``day`` falls in."""
    if grain == Grain.WEEK:
        return week_start(day)
    if grain == Grain.MONTH:
        return month_start(day)
    if grain == Grain.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def next_period(grain: Grain, start: date) -> date:
    """The first day of the period after the one starting on ``start``."""
    if grain == Grain.WEEK:
        return start + timedelta(days=7)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def wait_bucket(days: float) -> int:
    return bisect.bisect_right(WAIT_BUCKET_DAYS, days)


# --- recording a move ------------------------------------------------------------------------


def record_move(session: DbSession, case: Case, target: CaseStatus, now: datetime) -> None:
    """Leave the move of ``case`` to ``target`` for the figures; before the case changes."""
    session.add(
        CaseMove(
            **move_values(
                case.status,
                target,
                at=now,
                entered=case.status_changed_at or case.created_at or now,
                submitted=case.submitted_at,
                programme=case.programme,
                nationality=case.nationality,
                country_of_stay=case.country_of_stay,
                people=case.people_count,
                report_key=case.report_key,
            )
        )
    )


def move_values(
    old: CaseStatus,
    new: CaseStatus,
    *,
    at: datetime,
    entered: datetime,
    submitted: datetime | None,
    programme: Programme,
    nationality: str | None,
    country_of_stay: str | None,
    people: int,
    report_key: int,
) -> dict[str, Any]:
    """The columns of one ``CaseMove``: the week and month of the move, never its moment."""
    decided = new in DECISIONS and submitted is not None
    return {
        "week": week_start(at.date()),
        "month": month_start(at.date()),
        "from_status": old,
        "to_status": new,
        "programme": programme,
        "nationality": nationality or "",
        "country_of_stay": country_of_stay or "",
        "people": people,
        "report_key": report_key,
        "stage_days": _days(entered, at),
        "decision_days": _days(submitted, at) if decided and submitted else None,
    }


# The order of ``move_values``'s columns, for writers of plain rows.
MOVE_COLUMNS = (
    "week",
    "month",
    "from_status",
    "to_status",
    "programme",
    "nationality",
    "country_of_stay",
    "people",
    "report_key",
    "stage_days",
    "decision_days",
)


def _days(earlier: datetime, later: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds() / _DAY)


# --- refreshing the figures ------------------------------------------------------------------

_WHERE = (CaseMove.programme, CaseMove.nationality, CaseMove.country_of_stay)
_COUNTED = (func.count(), func.sum(CaseMove.report_key))
# The period columns a move carries, and the grains each one rolls up into.
_ROLL_UP = (
    (CaseMove.week, (Grain.WEEK,)),
    (CaseMove.month, (Grain.MONTH, Grain.QUARTER, Grain.YEAR)),
)


def refresh(engine: Engine, now: datetime) -> bool:
    """Fold the waiting moves and rebuild the snapshot; False if another refresh was busy.

    The moves are read and deleted up to the highest id seen, in a transaction that sees
    one snapshot (REPEATABLE READ on PostgreSQL, SQLite's single writer elsewhere): a move
    committed meanwhile is either folded here or left for the next refresh, never lost or
    counted twice.
    """
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    try:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            _claim(connection)
            top = connection.scalar(select(func.max(CaseMove.id)))
            if top is not None:
                _fold_flows(connection, top)
                _fold_waits(connection, top)
                connection.execute(delete(CaseMove).where(CaseMove.id <= top))
            _rebuild_states(connection)
            _stamp(connection, now)
    except OperationalError as error:
        if not lost_a_race(error):
            raise
        return False
    return True


def _claim(connection: Connection) -> None:
    """Take the refresh row's lock first: two refreshes at once would fold twice."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(FiguresRefresh.id).where(FiguresRefresh.id == 1).with_for_update(nowait=True)
        )


def _stamp(connection: Connection, now: datetime) -> None:
    table = FiguresRefresh.__table__
    statement = _upsert(connection)(table).values(id=1, refreshed_at=now)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.id], set_={"refreshed_at": statement.excluded.refreshed_at}
        )
    )


def _fold_flows(connection: Connection, top: int) -> None:
    for column, grains in _ROLL_UP:
        rows = connection.execute(
            select(
                column,
                CaseMove.from_status,
                CaseMove.to_status,
                *_WHERE,
                func.count(),
                func.sum(CaseMove.people),
                func.sum(CaseMove.report_key),
            )
            .where(CaseMove.id <= top)
            .group_by(column, CaseMove.from_status, CaseMove.to_status, *_WHERE)
        )
        add_counts(
            connection,
            FlowFigure,
            ("from_status", "to_status", "programme", "nationality", "country_of_stay"),
            ("cases", "people", "key_sum"),
            grains,
            rows,
        )


def _fold_waits(connection: Connection, top: int) -> None:
    bucket = _bucket_of(CaseMove.stage_days)
    decision_bucket = _bucket_of(CaseMove.decision_days)
    for column, grains in _ROLL_UP:
        # Time in each stage; time in a draft is the applicant's, not the consulate's.
        in_stage = connection.execute(
            select(column, CaseMove.from_status, *_WHERE, bucket, *_COUNTED)
            .where(CaseMove.id <= top, CaseMove.from_status != CaseStatus.DRAFT)
            .group_by(column, CaseMove.from_status, *_WHERE, bucket)
        )
        to_decision = connection.execute(
            select(column, *_WHERE, decision_bucket, *_COUNTED)
            .where(CaseMove.id <= top, CaseMove.decision_days.is_not(None))
            .group_by(column, *_WHERE, decision_bucket)
        )
        rows = [(row[0], str(row[1]), *row[2:]) for row in in_stage]
        rows += [(row[0], TO_DECISION, *row[1:]) for row in to_decision]
        add_counts(
            connection,
            WaitFigure,
            ("stage", "programme", "nationality", "country_of_stay", "bucket"),
            ("cases", "key_sum"),
            grains,
            rows,
        )


def _bucket_of(days: Column[Any] | Any) -> Any:
    return case(
        *((days < bound, index) for index, bound in enumerate(WAIT_BUCKET_DAYS)),
        else_=len(WAIT_BUCKET_DAYS),
    )


def add_counts(
    connection: Connection,
    model: type[FlowFigure] | type[WaitFigure] | type[EmployerFigure],
    keys: Sequence[str],
    measures: Sequence[str],
    grains: Sequence[Grain],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Add grouped counts, each under its period's start in every grain, to the figures."""
    totals: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(measures))
    for day, *values in rows:
        cell, amounts = values[: len(keys)], values[len(keys) :]
        for grain in grains:
            sums = totals[(grain.value, period_start(grain, day), *cell)]
            for index, amount in enumerate(amounts):
                sums[index] += int(amount or 0)
    if not totals:
        return
    table = model.__table__
    statement = _upsert(connection)(table)
    identity = ["grain", "start", *keys]
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in identity],
            set_={name: table.c[name] + statement.excluded[name] for name in measures},
        ),
        [
            dict(zip(identity, key, strict=True)) | dict(zip(measures, sums, strict=True))
            # In one order everywhere: two transactions adding to the same figures then
            # lock their rows in the same order and wait for each other, never deadlock.
            for key, sums in sorted(totals.items(), key=_lock_order)
        ],
    )


def _lock_order(item: tuple[tuple[Any, ...], list[int]]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is not None, str(value)) for value in item[0])


def _rebuild_states(connection: Connection) -> None:
    dimensions = (
        Case.status,
        Case.programme,
        func.coalesce(Case.nationality, ""),
        func.coalesce(Case.country_of_stay, ""),
        Case.threat_level,
        Case.screening_status,
        Case.identity_to_be_clarified,
    )
    connection.execute(delete(StateFigure))
    connection.execute(
        insert(StateFigure).from_select(
            [
                "status",
                "programme",
                "nationality",
                "country_of_stay",
                "threat_level",
                "screening_status",
                "identity_to_be_clarified",
                "cases",
                "people",
                "key_sum",
            ],
            select(
                *dimensions,
                func.count(),
                func.sum(Case.people_count),
                func.sum(Case.report_key),
            )
            .where(Case.status != CaseStatus.DRAFT)
            .group_by(*dimensions),
        )
    )


def _upsert(connection: Connection) -> Any:
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
