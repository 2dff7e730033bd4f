"""The envoy's report page and its exports: one period, one set of filters, every table."""

import re
from typing import Any

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import format_datetime
from sqlalchemy.orm import Session

from portal.accounts.access import current_staff, requires
from portal.cases.labels import country_name
from portal.cases.states import Programme
from portal.config import REPORTS_REPLICA
from portal.core.db import DbSession, utcnow
from portal.core.permissions import Permission
from portal.extensions import db
from portal.reports import blueprint, exports, pictures, queries, services, tables
from portal.reports.periods import CHOICES, Period, chosen_period
from portal.reports.queries import Filters

_COUNTRY = re.compile(r"[A-Z]{2}")


def _filters() -> Filters:
    """The filters a request asks for; anything malformed is left out, never an error."""
    programme = request.args.get("programme", "")
    nationality = request.args.get("nationality", "").upper()
    country = request.args.get("country", "").upper()
    return Filters(
        programme=Programme(programme) if programme in set(Programme) else None,
        nationality=nationality if _COUNTRY.fullmatch(nationality) else None,
        country_of_stay=country if _COUNTRY.fullmatch(country) else None,
    )


def _figures() -> DbSession:
    """Where the figures are read: the reports' read replica when there is one (they are
    refreshed on the primary and replicated), else the primary. Exports are still audited
    on the primary."""
    replica = db.engines.get(REPORTS_REPLICA)
    if replica is None:
        return db.session
    if "figures_session" not in g:
        g.figures_session = Session(bind=replica)
    session: DbSession = g.figures_session
    return session


@blueprint.teardown_request
def _close_figures(_error: BaseException | None) -> None:
    session = g.pop("figures_session", None)
    if session is not None:
        session.close()


def _report() -> tables.Report:
    today = utcnow().date()
    period = chosen_period(request.args.get("period"), request.args.get("start"), today)
    threshold = current_app.config["PORTAL_REPORT_THRESHOLD"]
    return tables.build(_figures(), period, _filters(), today, threshold)


def _scope(report: tables.Report) -> dict[str, str]:
    """The period and filters, as query arguments and as the audit event's details."""
    filters = report.filters
    scope = {"period": report.period.code}
    if report.period.grain is not None:
        scope["start"] = report.period.start.isoformat()
    for name, value in (
        ("programme", filters.programme),
        ("nationality", filters.nationality),
        ("country", filters.country_of_stay),
    ):
        if value:
            scope[name] = str(value)
    return scope


@blueprint.get("/")
@requires(Permission.REPORTS_READ)
def show_reports() -> str:
    report = _report()
    refreshed = queries.refreshed_at(_figures())
    nationalities, countries = queries.dimension_values(_figures())
    today = utcnow().date()
    return render_template(
        "reports/report.html",
        report=report,
        tables=report.tables,
        charts=pictures.report_charts(report),
        scope=_scope(report),
        choices=CHOICES,
        previous=report.period.previous(),
        following=report.period.following(today),
        refreshed=format_datetime(refreshed, "medium") if refreshed else None,
        nationalities=nationalities,
        countries=countries,
        programmes=list(Programme),
        print_view=request.args.get("print") == "1",
    )


@blueprint.get("/<slug>.csv")
@requires(Permission.REPORTS_READ)
def export_table(slug: str) -> Response:
    report = _report()
    table = report.tables.get(slug)
    if table is None:
        abort(404)
    services.record_export(
        db.session, current_staff(), tables=slug, file_format="csv", scope=_scope(report)
    )
    return _download(exports.table_csv(report, table), "text/csv; charset=utf-8", slug, "csv")


@blueprint.get("/report.xlsx")
@requires(Permission.REPORTS_READ)
def export_workbook() -> Response:
    report = _report()
    services.record_export(
        db.session,
        current_staff(),
        tables=",".join(report.tables),
        file_format="xlsx",
        scope=_scope(report),
    )
    return _download(
        exports.workbook(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "report",
        "xlsx",
    )


def _download(body: Any, mimetype: str, name: str, suffix: str) -> Response:
    stamp = utcnow().strftime("%Y%m%d")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def period_url_args(period: Period | None, scope: dict[str, str]) -> dict[str, str]:
    """The query arguments of the same report for another period."""
    if period is None:
        return {}
    args = {k: v for k, v in scope.items() if k not in ("period", "start")}
    args["period"] = period.code
    if period.grain is not None:
        args["start"] = period.start.isoformat()
    return args


for _global in (period_url_args, country_name, pictures.shown_text):
    blueprint.add_app_template_global(_global)
