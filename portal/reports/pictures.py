"""The report's four charts, drawn from its protected tables (so they show no more).

Each chart says in words what it shows; the table beside it on the page holds its numbers.
"""

from flask_babel import format_decimal
from markupsafe import Markup

from portal.cases.states import CaseStatus
from portal.core.i18n import _s
from portal.reports.charts import Point, Series, bars, columns, lines
from portal.reports.disclosure import Shown
from portal.reports.queries import WAITING
from portal.reports.tables import Report, Table, Value


def shown_text(value: Value, threshold: int) -> str:
    """A table cell as the page prints it."""
    if isinstance(value, Shown):
        return format_decimal(value.value) if value.value is not None else f"<{threshold}"
    if isinstance(value, float | int):
        return format_decimal(value)
    return value or "–"


def _point(name: str, value: Value, threshold: int) -> Point:
    number = value.value if isinstance(value, Shown) else None
    return Point(name, None if number is None else float(number), shown_text(value, threshold))


def _series(table: Table, threshold: int) -> list[Series]:
    return [
        Series(column, [_point(name, values[index], threshold) for name, values in table.rows])
        for index, column in enumerate(table.columns)
    ]


# The backlog's stages a line is drawn for (a chart tells four lines apart): the ones
# where the consulate does the work.
BACKLOG_DRAWN = tuple(
    WAITING.index(stage)
    for stage in (
        CaseStatus.IN_REVIEW,
        CaseStatus.INFO_REQUESTED,
        CaseStatus.DECISION_PROPOSED,
        CaseStatus.ADMITTED,
    )
)


def report_charts(report: Report) -> dict[str, Markup]:
    threshold, tables = report.threshold, report.tables
    stages = [(name, values[0]) for name, values in tables["stages"].rows[:-1]]
    distribution = tables["distribution"].rows[:-1]
    backlog = _series(tables["backlog"], threshold)
    return {
        "stages": bars(
            "chart-stages",
            _s("Cases at each stage"),
            _s("Horizontal bars, one per stage, from submitted to withdrawn, as in the table."),
            [_point(name, value, threshold) for name, value in stages],
        ),
        "decisions": columns(
            "chart-decisions",
            tables["decisions"].title,
            _s("Columns per period for admissions, rejections and arrivals, as in the table."),
            _series(tables["decisions"], threshold),
        ),
        "backlog": lines(
            "chart-backlog",
            tables["backlog"].title,
            _s(
                "One line each for cases in review, waiting for information, waiting for a "
                "decision and waiting for a visa; the table has every stage."
            ),
            [backlog[index] for index in BACKLOG_DRAWN],
        ),
        "distribution": columns(
            "chart-distribution",
            tables["distribution"].title,
            _s("Columns per range of days from submission to decision, as in the table."),
            [Series(_s("Decisions"), [_point(n, v[0], threshold) for n, v in distribution])],
        ),
    }
