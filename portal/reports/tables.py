"""The report's tables, with disclosure control applied: what the page, the charts and the
exports show, and nothing else.

Every count goes through ``portal.reports.disclosure``; figures derived from counts (the
weeks a backlog takes to clear) are computed from the published counts only, so that they
tell nothing the counts do not.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date

from portal.cases.labels import label
from portal.cases.models import Grain, StateFigure
from portal.cases.models.figures import TO_DECISION
from portal.cases.states import OPEN_STATUSES, CaseStatus, ScreeningStatus, ThreatLevel
from portal.core.db import DbSession
from portal.core.i18n import _s
from portal.reports import queries
from portal.reports.disclosure import (
    Shown,
    protect_list,
    protect_table,
    protected_quantiles,
    publish,
)
from portal.reports.periods import Period
from portal.reports.queries import FLOWS, STAGES, WAITING, Filters, Tally

S = CaseStatus
Value = Shown | float | str | None
MEASURES = ("cases", "people")
# Waiting times grouped for reading: (upper bound in days, label); the last has none.
DURATION_GROUPS = (7, 14, 28, 56, 91, 182, 365, 730)
EMPLOYER_CATEGORIES = (
    "bundeswehr",
    "bundespolizei",
    "auswaertiges_amt",
    "giz",
    "kfw",
    "bmz_funded",
    "political_foundation",
    "other",
)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)
    note: str | None = None


@dataclass
class Report:
    period: Period
    filters: Filters
    threshold: int
    tables: dict[str, Table]
    bin_grain: Grain


def build(
    session: DbSession, period: Period, filters: Filters, today: date, threshold: int
) -> Report:
    """Every table of one period and filter."""
    now = queries.stages_now(session, filters)
    moves = queries.flows(session, period, filters)
    bin_grain, starts = queries.bins(period, queries.first_figure(session), today)
    history = queries.series(session, bin_grain, starts, filters)
    pace_from, recent = queries.pace(session, filters, today)
    waits = queries.waits(session, period, filters)
    tables = [
        _stages(now, threshold),
        _flows(moves, threshold),
        _waits(waits, threshold),
        _distribution(waits.get(TO_DECISION, []), threshold),
        _decisions_over_time(history, starts, bin_grain, threshold),
        _backlog_over_time(queries.backlog(now, history, starts, bin_grain), bin_grain, threshold),
        _stuck(now, recent, pace_from, threshold),
        _risk(session, filters, threshold),
        _identity(session, filters, threshold),
        _employers(queries.employers(session, period, filters), threshold),
    ]
    return Report(period, filters, threshold, {t.slug: t for t in tables}, bin_grain)


def _cases_and_people(
    labels: Sequence[str], tallies: Sequence[Tally], total: Tally | None, threshold: int
) -> list[tuple[str, list[Value]]]:
    """Rows of cases and people, protected as lists with their totals when there is one."""
    columns: list[list[Shown]] = []
    totals: list[Shown] = []
    for measure in MEASURES:
        cells = [tally.cell(measure) for tally in tallies]
        if total is None:
            columns.append([publish(cell, measure=measure, threshold=threshold) for cell in cells])
        else:
            shown, whole = protect_list(
                cells, total.cell(measure), measure=measure, threshold=threshold
            )
            columns.append(shown)
            totals.append(whole)
    rows: list[tuple[str, list[Value]]] = [
        (name, [column[index] for column in columns]) for index, name in enumerate(labels)
    ]
    if total is not None:
        rows.append((_s("Total"), [*totals]))
    return rows


def _stages(now: dict[S, Tally], threshold: int) -> Table:
    table = Table("stages", _s("Where submitted cases stand"), [_s("Cases"), _s("People")])
    table.rows = _cases_and_people(
        [str(label(stage)) for stage in STAGES],
        [now[stage] for stage in STAGES],
        queries.summed(now.values()),
        threshold,
    )
    table.note = _s("As of the last refresh. People are the applicants and their family members.")
    return table


def _flows(moves: dict[tuple[S, S], Tally], threshold: int) -> Table:
    names = {
        S.SUBMITTED: _s("Submitted"),
        S.ADMITTED: _s("Admitted"),
        S.REJECTED: _s("Rejected"),
        S.VISA_ISSUED: _s("Visa issued"),
        S.ARRIVED: _s("Arrived"),
        S.WITHDRAWN: _s("Withdrawn"),
    }
    table = Table("flows", _s("In this period"), [_s("Cases"), _s("People")])
    table.rows = _cases_and_people(
        [names[flow] for flow in FLOWS],
        [queries.entries(moves, flow) for flow in FLOWS],
        None,
        threshold,
    )
    table.note = _s("Each is counted when it happened; a case decided twice counts twice.")
    return table


def _waits(waits: dict[str, list[queries.Bucket]], threshold: int) -> Table:
    table = Table(
        "waits",
        _s("Time taken, in days"),
        [_s("Cases counted"), _s("Median"), _s("90th percentile")],
    )
    stages: list[tuple[str, str]] = [(str(stage), str(label(stage))) for stage in WAITING]
    stages.append((TO_DECISION, _s("From submission to decision")))
    for code, name in stages:
        buckets = waits.get(code, [])
        counted = Tally(sum(b.cases for b in buckets), 0, sum(b.key for b in buckets))
        shown = publish(counted.cell(), measure="cases", threshold=threshold)
        histogram = [(b.low, b.high, b.cases) for b in buckets]
        quantiles = protected_quantiles(histogram, threshold=threshold) or (None, None)
        table.rows.append((name, [shown, *(_rounded(q) for q in quantiles)]))
    table.note = _s(
        "Time spent in each stage by the cases that left it in this period; "
        "not shown for fewer cases than the threshold."
    )
    return table


def _rounded(days: float | None) -> float | None:
    return None if days is None else round(days, 1)


def _distribution(decided: list[queries.Bucket], threshold: int) -> Table:
    groups = [Tally() for _ in range(len(DURATION_GROUPS) + 1)]
    for bucket in decided:
        index = next(
            (i for i, bound in enumerate(DURATION_GROUPS) if bucket.high <= bound),
            len(DURATION_GROUPS),
        )
        groups[index].add(bucket.cases, 0, bucket.key)
    labels = [_s("up to %(days)s days", days=DURATION_GROUPS[0])]
    labels += [
        _s("%(low)s to %(high)s days", low=low, high=high)
        for low, high in zip(DURATION_GROUPS, DURATION_GROUPS[1:], strict=False)
    ]
    labels.append(_s("over %(days)s days", days=DURATION_GROUPS[-1]))
    cells, whole = protect_list(
        [group.cell() for group in groups],
        queries.summed(groups).cell(),
        measure="cases",
        threshold=threshold,
    )
    table = Table("distribution", _s("Decisions by time from submission"), [_s("Decisions")])
    table.rows = [(name, [shown]) for name, shown in zip(labels, cells, strict=True)]
    table.rows.append((_s("Total"), [whole]))
    return table


def bin_label(grain: Grain, start: date) -> str:
    if grain == Grain.WEEK:
        iso = start.isocalendar()
        return _s("week %(week)s/%(year)s", week=iso.week, year=iso.year)
    return format_date(start, "MMM y")


def _decisions_over_time(
    history: dict[date, dict[tuple[S, S], Tally]],
    starts: Sequence[date],
    grain: Grain,
    threshold: int,
) -> Table:
    shown = (S.ADMITTED, S.REJECTED, S.ARRIVED)
    title = (
        _s("Decisions and arrivals per week")
        if grain == Grain.WEEK
        else _s("Decisions and arrivals per month")
    )
    table = Table("decisions", title, [_s("Admitted"), _s("Rejected"), _s("Arrived")])
    for start in starts:
        moves = history.get(start, {})
        table.rows.append(
            (
                bin_label(grain, start),
                [
                    publish(
                        queries.entries(moves, stage).cell(), measure="cases", threshold=threshold
                    )
                    for stage in shown
                ],
            )
        )
    return table


def _backlog_over_time(backlog: dict[date, dict[S, Tally]], grain: Grain, threshold: int) -> Table:
    title = (
        _s("Cases waiting at the end of each week")
        if grain == Grain.WEEK
        else _s("Cases waiting at the end of each month")
    )
    table = Table("backlog", title, [str(label(stage)) for stage in WAITING])
    for start in sorted(backlog):
        table.rows.append(
            (
                bin_label(grain, start),
                [
                    publish(backlog[start][stage].cell(), measure="cases", threshold=threshold)
                    for stage in WAITING
                ],
            )
        )
    return table


def _stuck(
    now: dict[S, Tally], recent: dict[tuple[S, S], Tally], since: date, threshold: int
) -> Table:
    table = Table(
        "stuck",
        _s("Where the pipeline is stuck"),
        [
            _s("Waiting now"),
            _s("Came in, last %(weeks)s weeks", weeks=queries.PACE_WEEKS),
            _s("Went on, last %(weeks)s weeks", weeks=queries.PACE_WEEKS),
            _s("Growth per week"),
            _s("Weeks to clear at this pace"),
        ],
    )
    for stage in WAITING:
        waiting, came, went = (
            publish(tally.cell(), measure="cases", threshold=threshold)
            for tally in (now[stage], queries.entries(recent, stage), queries.exits(recent, stage))
        )
        growth: Value = None
        weeks: Value = None
        if came.value is not None and went.value is not None:
            growth = round((came.value - went.value) / queries.PACE_WEEKS, 1)
            if waiting.value == 0:
                weeks = 0.0
            elif waiting.value is not None:
                weeks = (
                    round(waiting.value / (went.value / queries.PACE_WEEKS), 1)
                    if went.value
                    else _s("not being worked off")
                )
        table.rows.append((str(label(stage)), [waiting, came, went, growth, weeks]))
    table.note = _s(
        "The last %(weeks)s whole weeks from %(since)s. A stage is stuck when more come in than "
        "go on; the weeks to clear assume the pace of those weeks.",
        weeks=queries.PACE_WEEKS,
        since=format_date(since, "medium"),
    )
    return table


def _risk(session: DbSession, filters: Filters, threshold: int) -> Table:
    found = queries.states(
        session,
        filters,
        StateFigure.status,
        StateFigure.threat_level,
        StateFigure.screening_status,
    )
    levels, outcomes = list(ThreatLevel), list(ScreeningStatus)
    grid = [[Tally() for _ in outcomes] for _ in levels]
    for (status, level, outcome), tally in found.items():
        if status in OPEN_STATUSES:
            grid[levels.index(level)][outcomes.index(outcome)].add(
                tally.cases, tally.people, tally.key
            )
    rows = [queries.summed(row) for row in grid]
    columns = [queries.summed(grid[i][j] for i in range(len(levels))) for j in range(len(outcomes))]
    protected = protect_table(
        [[tally.cell() for tally in row] for row in grid],
        [tally.cell() for tally in rows],
        [tally.cell() for tally in columns],
        queries.summed(rows).cell(),
        measure="cases",
        threshold=threshold,
    )
    table = Table(
        "risk",
        _s("Open cases by threat and screening"),
        [str(label(outcome)) for outcome in outcomes] + [_s("Total")],
    )
    for level, cells, total in zip(levels, protected.cells, protected.row_totals, strict=True):
        table.rows.append((str(label(level)), [*cells, total]))
    table.rows.append((_s("Total"), [*protected.column_totals, protected.total]))
    table.note = _s("Rows: threat to the applicant. Columns: security screening.")
    return table


def _identity(session: DbSession, filters: Filters, threshold: int) -> Table:
    found = queries.states(
        session, filters, StateFigure.status, StateFigure.identity_to_be_clarified
    )
    unclear, open_cases = Tally(), Tally()
    for (status, to_clarify), tally in found.items():
        if status in OPEN_STATUSES:
            open_cases.add(tally.cases, tally.people, tally.key)
            if to_clarify:
                unclear.add(tally.cases, tally.people, tally.key)
    clear = Tally(
        open_cases.cases - unclear.cases,
        open_cases.people - unclear.people,
        open_cases.key - unclear.key,
    )
    table = Table("identity", _s("Identity of open cases"), [_s("Cases"), _s("People")])
    table.rows = _cases_and_people(
        [_s("Identity to be clarified"), _s("Identity documented")],
        [unclear, clear],
        open_cases,
        threshold,
    )
    return table


def _employers(found: dict[str, Tally] | None, threshold: int) -> Table:
    table = Table("employers", _s("Local staff by employer"), [_s("Cases"), _s("People")])
    if found is None:
        table.note = _s(
            "Shown for months, quarters, years and all time, for local staff only: finer "
            "figures could point at a person."
        )
        return table
    names = {
        "bundeswehr": _s("Bundeswehr"),
        "bundespolizei": _s("Federal Police"),
        "auswaertiges_amt": _s("Federal Foreign Office"),
        "giz": _s("GIZ"),
        "kfw": _s("KfW"),
        "bmz_funded": _s("Other BMZ-funded organisations"),
        "political_foundation": _s("Political foundations"),
        "other": _s("Other employers"),
    }
    table.rows = _cases_and_people(
        [names[category] for category in EMPLOYER_CATEGORIES],
        [found.get(category, Tally()) for category in EMPLOYER_CATEGORIES],
        queries.summed(found.values()),
        threshold,
    )
    table.note = _s(
        "Counted when intake screened the case, by the employer that exposed the person most. "
        "Not broken down by country of stay."
    )
    return table
