"""Keeping the case tallies small (the tallies themselves: ``portal.cases.models.tally``)."""

from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Date, Engine, case, delete, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from portal.cases.models import (
    CaseAnswerDueTally,
    CaseFacetTally,
    CaseTally,
    CaseWaitingFacetTally,
    CaseWaitingTally,
)
from portal.cases.models.tally import (
    ANSWER_DUE_COLUMNS,
    FACET_COLUMNS,
    FACET_WAITING_COLUMNS,
    TALLIED_COLUMNS,
    WAITING_COLUMNS,
)
from portal.core.db import utcnow

# The answer-due tally is only ever asked for the days before today, and today only moves
# on: folding gathers the days already past into one row per combination dated ``PAST``,
# so the tally stays as small as the plain one however long questions stay unanswered.
PAST = date(1970, 1, 1)

# The waiting tallies are read for the days after a waiting time's boundary: a day's open
# cases are nearly as many rows as cases (their combinations rarely repeat within a day), so
# the days of the weeks before last are folded into their week, dated its Monday, which
# nearly halves the rows a count of three months reads. Counting then reads the rest of the
# boundary's week from ``case`` (``portal.review.counts``): cases that changed stage more
# than a week ago, rarely updated.
DAYS_KEPT_BY_DAY = 7


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def first_day_kept(today: date) -> date:
    """The first day the waiting tallies keep day by day once folded on ``today``: the days
    before it, whole weeks, are folded into their Mondays. It only ever moves on."""
    return monday(today - timedelta(days=DAYS_KEPT_BY_DAY))


class monday_of(FunctionElement[date]):  # noqa: N801 - named as the SQL function it is
    """The Monday of a date's week, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(monday_of, "postgresql")
def _monday_in_postgresql(element: monday_of, compiler: SQLCompiler, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"({day} - (EXTRACT(ISODOW FROM {day})::int - 1))"


@compiles(monday_of, "sqlite")
def _monday_in_sqlite(element: monday_of, compiler: SQLCompiler, **kw: Any) -> str:
    # "weekday 1" moves on to the next Monday, or stays on one.
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


def _past_folded(day: Any, today: date) -> Any:
    return case((day < today, PAST), else_=day)


def _weeks_folded(day: Any, today: date) -> Any:
    return case((day < first_day_kept(today), monday_of(day)), else_=day)


class Tally(NamedTuple):
    """A tally, its columns, and its day column, if it has one: folded rows are written in
    the order of the day (counting reads a range of days, which then lie together) and,
    with ``folds``, the day column is folded as it returns for the day of folding."""

    table: Any
    columns: tuple[str, ...]
    day: str | None = None
    folds: Callable[[Any, date], Any] | None = None


TALLIES = (
    Tally(CaseTally, TALLIED_COLUMNS),
    Tally(CaseFacetTally, FACET_COLUMNS),
    Tally(CaseWaitingTally, WAITING_COLUMNS, "entered_on", _weeks_folded),
    Tally(CaseWaitingFacetTally, FACET_WAITING_COLUMNS, "entered_on", _weeks_folded),
    Tally(CaseAnswerDueTally, ANSWER_DUE_COLUMNS, "due_on", _past_folded),
)


def compact(engine: Engine) -> int:
    """Fold each tally's rows into one per combination; returns how many fewer there are.

    Every row up to the highest id seen is summed and replaced in one transaction that
    sees one snapshot, so a row committed meanwhile is either in the sum or left for the
    next time, never lost or counted twice. Safe to run at any time, from any process.
    """
    isolation = "REPEATABLE READ" if engine.dialect.name == "postgresql" else None
    options = {"isolation_level": isolation} if isolation else {}
    folded = 0
    today = utcnow().astimezone(UTC).date()
    for tally in TALLIES:
        try:
            with engine.connect().execution_options(**options) as connection, connection.begin():
                folded += _fold(connection, tally, today)
        except OperationalError as error:
            if not lost_a_race(error):
                raise
            # the next run folds what this one could not
    return folded


def reclaim(engine: Engine) -> None:
    """Give back the space of the rows a bulk load left in the tallies (PostgreSQL).

    After a million inserted cases the triggers' rows are folded away, but their pages stay
    and every count would still read them all; the worker's steady folding never lets the
    tallies grow like that. Rewriting them takes a moment's exclusive lock on the tallies
    alone (after folding they hold a few thousand rows)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for tally in TALLIES:
            connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {tally.table.__tablename__}")


def _fold(connection: Connection, tally: Tally, today: date) -> int:
    table = tally.table
    top = connection.scalar(select(func.max(table.id)))
    if top is None:
        return 0
    dimensions = {name: getattr(table, name) for name in tally.columns}
    if tally.day and tally.folds:
        dimensions[tally.day] = tally.folds(dimensions[tally.day], today)
    grouped = list(dimensions.values())
    folded = (
        select(*grouped, func.sum(table.change))
        .where(table.id <= top)
        .group_by(*grouped)
        .having(func.sum(table.change) != 0)
        .order_by(*([dimensions[tally.day]] if tally.day else []))
    )
    added = connection.execute(
        insert(table).from_select([*tally.columns, "change"], folded)
    ).rowcount
    return connection.execute(delete(table).where(table.id <= top)).rowcount - added


def lost_a_race(error: OperationalError) -> bool:
    """Another writer came first: SQLite was locked, or PostgreSQL could not serialize
    this snapshot with another folding or found the row it would lock already taken."""
    return getattr(error.orig, "sqlstate", None) in ("40001", "55P03") or "locked" in str(
        error.orig
    )
