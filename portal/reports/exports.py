"""The report's tables as files: CSV, one table at a time, and a workbook of them all.

What a file holds is exactly what the page shows: suppressed cells are written as the same
"<threshold" text, never as the number behind them.
"""

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook

from portal.core.i18n import _s
from portal.reports.disclosure import Shown
from portal.reports.tables import Report, Table, Value


def cell_value(value: Value, threshold: int) -> str | int | float:
    if isinstance(value, Shown):
        return value.value if value.value is not None else f"<{threshold}"
    return "" if value is None else value


def _lines(table: Table, threshold: int) -> Iterable[list[str | int | float]]:
    yield ["", *table.columns]
    for name, values in table.rows:
        yield [name, *(cell_value(value, threshold) for value in values)]


def _heading(report: Report) -> list[str]:
    return [
        _s("Period: %(period)s", period=report.period.label()),
        _s(
            "Counts under %(threshold)s are not shown; the others carry a small random "
            "deviation, so totals may differ from the sum of their parts.",
            threshold=report.threshold,
        ),
    ]


def table_csv(report: Report, table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table.title])
    for line in _heading(report):
        writer.writerow([line])
    writer.writerows(_lines(table, report.threshold))
    if table.note:
        writer.writerow([table.note])
    return out.getvalue()


def workbook(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in report.tables.values():
        sheet = book.create_sheet(title=table.title[:31])  # the format's limit on names
        sheet.append([table.title])
        for heading in _heading(report):
            sheet.append([heading])
        for line in _lines(table, report.threshold):
            sheet.append(line)
        if table.note:
            sheet.append([table.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
