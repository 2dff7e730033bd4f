"""Reading the figures: raw counts with their cell keys, before disclosure control.

Only the figures tables are read (``portal.cases.models.figures``): clear columns and
periods, never a case, a person or a sealed value.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from portal.cases.figures import next_period, period_start
from portal.cases.lifecycle import CLOSED
from portal.cases.models import (
    EmployerFigure,
    FiguresRefresh,
    FlowFigure,
    Grain,
    StateFigure,
    WaitFigure,
)
from portal.cases.models.figures import WAIT_BUCKET_DAYS
from portal.cases.states import CaseStatus, Programme
from portal.core.db import DbSession
from portal.reports.disclosure import KEY_SPACE, Cell
from portal.reports.periods import Period

S = CaseStatus
# The stages a submitted case passes through, in order, then where it can end.
STAGES = (
    S.SUBMITTED,
    S.SCREENING,
    S.IN_REVIEW,
    S.INFO_REQUESTED,
    S.DECISION_PROPOSED,
    S.ADMITTED,
    S.VISA_ISSUED,
    S.ARRIVED,
    S.REJECTED,
    S.WITHDRAWN,
)
# Stages where a case waits for someone: the backlog.
WAITING = tuple(stage for stage in STAGES if stage not in CLOSED)
# The flows a period is summed up by: entries into these stages (withdrawn drafts were
# never applications, so they are not counted).
FLOWS = (S.SUBMITTED, S.ADMITTED, S.REJECTED, S.VISA_ISSUED, S.ARRIVED, S.WITHDRAWN)
PACE_WEEKS = 4


QueryT = TypeVar("QueryT", bound=Select)


@dataclass(frozen=True)
class Filters:
    programme: Programme | None = None
    nationality: str | None = None
    country_of_stay: str | None = None

    def apply(self, query: QueryT, model: Any) -> QueryT:
        if self.programme is not None and hasattr(model, "programme"):
            query = query.where(model.programme == self.programme)
        if self.nationality:
            query = query.where(model.nationality == self.nationality)
        if self.country_of_stay and hasattr(model, "country_of_stay"):
            query = query.where(model.country_of_stay == self.country_of_stay)
        return query


@dataclass
class Tally:
    """Cases, people and the cell key of one figure, added up from rows."""

    cases: int = 0
    people: int = 0
    key: int = 0

    def add(self, cases: int, people: int, key: int, sign: int = 1) -> None:
        self.cases += sign * cases
        self.people += sign * people
        self.key += sign * key

    def cell(self, measure: str = "cases") -> Cell:
        count = self.cases if measure == "cases" else self.people
        return Cell(max(0, count), self.key % KEY_SPACE)


def refreshed_at(session: DbSession) -> datetime | None:
    return session.scalar(select(FiguresRefresh.refreshed_at).where(FiguresRefresh.id == 1))


def dimension_values(session: DbSession) -> tuple[list[str], list[str]]:
    """The nationalities and countries of stay there are figures for, to filter by."""
    nationalities = session.scalars(
        select(StateFigure.nationality).distinct().where(StateFigure.nationality != "")
    )
    countries = session.scalars(
        select(StateFigure.country_of_stay).distinct().where(StateFigure.country_of_stay != "")
    )
    return sorted(nationalities), sorted(countries)


# --- now --------------------------------------------------------------------------------------


def states(session: DbSession, filters: Filters, *columns: Any) -> dict[tuple[Any, ...], Tally]:
    """The snapshot of submitted cases, summed by ``columns`` of ``StateFigure``."""
    query = filters.apply(
        select(
            *columns,
            func.sum(StateFigure.cases),
            func.sum(StateFigure.people),
            func.sum(StateFigure.key_sum),
        ).group_by(*columns),
        StateFigure,
    )
    found: dict[tuple[Any, ...], Tally] = defaultdict(Tally)
    for *values, cases, people, key in session.execute(query):
        found[tuple(values)].add(int(cases), int(people), int(key))
    return found


def stages_now(session: DbSession, filters: Filters) -> dict[CaseStatus, Tally]:
    found = states(session, filters, StateFigure.status)
    return {stage: found.get((stage,), Tally()) for stage in STAGES}


# --- in a period ------------------------------------------------------------------------------


def _grain_rows(period: Period) -> tuple[Grain, Any]:
    """The grain to read a period from, and the condition on ``start`` that selects it."""
    if period.grain is None:  # all time: every year
        return Grain.YEAR, None
    return period.grain, period.start


Moves = dict[tuple[S, S], Tally]


def _moves(session: DbSession, filters: Filters, *where: Any, by: Any = None) -> dict[Any, Moves]:
    """Moves summed by (from, to), and by the column ``by`` if given; matching ``where``."""
    grouped = (by,) if by is not None else ()
    query = filters.apply(
        select(
            *grouped,
            FlowFigure.from_status,
            FlowFigure.to_status,
            func.sum(FlowFigure.cases),
            func.sum(FlowFigure.people),
            func.sum(FlowFigure.key_sum),
        )
        .where(*where)
        .group_by(*grouped, FlowFigure.from_status, FlowFigure.to_status),
        FlowFigure,
    )
    found: dict[Any, Moves] = defaultdict(lambda: defaultdict(Tally))
    for row in session.execute(query):
        *group, old, new, cases, people, key = row
        found[group[0] if group else None][(old, new)].add(int(cases), int(people), int(key))
    return found


def flows(session: DbSession, period: Period, filters: Filters) -> Moves:
    """Moves from one stage to another in the period, by (from, to)."""
    grain, start = _grain_rows(period)
    where = [FlowFigure.grain == grain]
    if start is not None:
        where.append(FlowFigure.start == start)
    return _moves(session, filters, *where).get(None, defaultdict(Tally))


def entries(moves: Moves, stage: S) -> Tally:
    """How many moved into ``stage`` (withdrawn drafts never count)."""
    total = Tally()
    for (old, new), tally in moves.items():
        if new == stage and not (old == S.DRAFT and new == S.WITHDRAWN):
            total.add(tally.cases, tally.people, tally.key)
    return total


def exits(moves: Moves, stage: S) -> Tally:
    total = Tally()
    for (old, _new), tally in moves.items():
        if old == stage:
            total.add(tally.cases, tally.people, tally.key)
    return total


@dataclass(frozen=True)
class Bucket:
    """Cases that waited between ``low`` and ``high`` days, and their key sum."""

    low: float
    high: float
    cases: int
    key: int


def waits(session: DbSession, period: Period, filters: Filters) -> dict[str, list[Bucket]]:
    """Waiting times by stage (and ``TO_DECISION``), in buckets of days."""
    grain, start = _grain_rows(period)
    query = select(
        WaitFigure.stage,
        WaitFigure.bucket,
        func.sum(WaitFigure.cases),
        func.sum(WaitFigure.key_sum),
    ).where(WaitFigure.grain == grain)
    if start is not None:
        query = query.where(WaitFigure.start == start)
    query = filters.apply(query.group_by(WaitFigure.stage, WaitFigure.bucket), WaitFigure)
    found: dict[str, list[Bucket]] = defaultdict(list)
    for stage, bucket, cases, key in session.execute(query.order_by(WaitFigure.bucket)):
        found[stage].append(Bucket(*bucket_bounds(bucket), int(cases), int(key)))
    return found


def bucket_bounds(bucket: int) -> tuple[float, float]:
    lower = 0.0 if bucket == 0 else float(WAIT_BUCKET_DAYS[bucket - 1])
    upper = float(WAIT_BUCKET_DAYS[bucket]) if bucket < len(WAIT_BUCKET_DAYS) else float("inf")
    return lower, upper


def employers(session: DbSession, period: Period, filters: Filters) -> dict[str, Tally] | None:
    """Local staff cases by employer category; None where the period is finer than a month."""
    if period.grain == Grain.WEEK or filters.programme == Programme.AT_RISK:
        return None
    grain, start = _grain_rows(period)
    query = select(
        EmployerFigure.category,
        func.sum(EmployerFigure.cases),
        func.sum(EmployerFigure.people),
        func.sum(EmployerFigure.key_sum),
    ).where(EmployerFigure.grain == grain)
    if start is not None:
        query = query.where(EmployerFigure.start == start)
    if filters.nationality:
        query = query.where(EmployerFigure.nationality == filters.nationality)
    found: dict[str, Tally] = defaultdict(Tally)
    for category, cases, people, key in session.execute(query.group_by(EmployerFigure.category)):
        found[category].add(int(cases), int(people), int(key))
    return found


# --- over time --------------------------------------------------------------------------------


def bins(period: Period, first_figure: date | None, today: date) -> tuple[Grain, list[date]]:
    """The bins a period's series are drawn in: weeks for up to a quarter, months beyond."""
    if period.grain in (Grain.YEAR, None):
        grain = Grain.MONTH
        start = period.start if period.grain else (first_figure or today)
        end = min(period.end, today + timedelta(days=1))
    else:
        grain = Grain.WEEK
        end = min(period.end, today + timedelta(days=1))
        start = period.start if period.grain != Grain.WEEK else period.start - timedelta(weeks=11)
    starts = []
    current = period_start(grain, start)
    while current < end:
        starts.append(current)
        current = next_period(grain, current)
    return grain, starts


def first_figure(session: DbSession) -> date | None:
    return session.scalar(select(func.min(FlowFigure.start)).where(FlowFigure.grain == Grain.MONTH))


def series(
    session: DbSession, grain: Grain, starts: Sequence[date], filters: Filters
) -> dict[date, Moves]:
    """Moves per bin, from the first bin to now (what the backlog needs after the last)."""
    if not starts:
        return {}
    where = (FlowFigure.grain == grain, FlowFigure.start >= starts[0])
    return _moves(session, filters, *where, by=FlowFigure.start)


def backlog(
    now: dict[CaseStatus, Tally],
    moves: dict[date, Moves],
    starts: Sequence[date],
    grain: Grain,
) -> dict[date, dict[CaseStatus, Tally]]:
    """The cases waiting in each stage at the end of each bin.

    Worked back from the snapshot: the backlog at the end of a bin is today's, less what
    entered the stage since, plus what left it since.
    """
    later = sorted(moves, reverse=True)
    result: dict[date, dict[CaseStatus, Tally]] = {}
    running = {
        stage: Tally(now[stage].cases, now[stage].people, now[stage].key) for stage in WAITING
    }
    for start in sorted(starts, reverse=True):
        end = next_period(grain, start)
        while later and later[0] >= end:
            for (old, new), tally in moves[later.pop(0)].items():
                if new in running:
                    running[new].add(tally.cases, tally.people, tally.key, sign=-1)
                if old in running:
                    running[old].add(tally.cases, tally.people, tally.key)
        result[start] = {s: Tally(t.cases, t.people, t.key) for s, t in running.items()}
    return result


def pace(session: DbSession, filters: Filters, today: date) -> tuple[date, Moves]:
    """The moves of the last ``PACE_WEEKS`` whole weeks, and the first day they cover."""
    this_week = period_start(Grain.WEEK, today)
    first = this_week - timedelta(weeks=PACE_WEEKS)
    where = (
        FlowFigure.grain == Grain.WEEK,
        FlowFigure.start >= first,
        FlowFigure.start < this_week,
    )
    return first, _moves(session, filters, *where).get(None, defaultdict(Tally))


def summed(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.add(tally.cases, tally.people, tally.key)
    return total
