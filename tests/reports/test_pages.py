"""The report pages and exports as the envoy uses them: every period and filter, files that
match the page, every export audited, and nothing that names a person."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from portal.cases.models import Case, Person
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.employers import refresh_figures
from tests.factories import PRINCIPAL

PERIODS = ("week", "month", "quarter", "year", "all")
FILTERS = ("", "programme=local_staff", "programme=at_risk", "nationality=AF", "country=AF")


class Tables(HTMLParser):
    """The page's tables, by id, as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _same(row: list[str]) -> list[object]:
    """Cells compared by value: "1,234" on the page is 1234 in a file, "2" is 2.0."""
    out: list[object] = []
    for cell in row:
        try:
            out.append(float(str(cell).replace(",", "")))
        except ValueError:
            out.append(str(cell))
    return out


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def counted(staff_app: Flask, submitted_case) -> list[Case]:
    """Twelve cases through intake, and the figures refreshed."""
    cases = [submitted_case() for _ in range(12)]
    with staff_app.app_context():
        assert refresh_figures(db.session, staff_app.extensions["portal.keyring"], utcnow())
    return cases


def _personal_values(app: Flask) -> set[str]:
    """Every name, birth date and document number held, and every reference."""
    with app.app_context():
        from portal.cases.custody import open_with_intake_keys
        from portal.cases.states import ActorKind

        cases = db.session.scalars(select(Case)).all()
        open_with_intake_keys(db.session, cases, actor_kind=ActorKind.SYSTEM, purpose="test")
        values = {case.reference for case in cases}
        for person in db.session.scalars(select(Person)):
            values |= {
                value
                for value in (
                    person.given_names,
                    person.family_name,
                    person.given_names_latin,
                    person.family_name_latin,
                    person.document_number,
                    person.birth_date,
                )
                if value
            }
        db.session.rollback()
    return values


def test_the_envoy_lands_on_the_reports_and_sees_every_period_and_filter(
    staff_app: Flask, signed_in, counted: list[Case]
) -> None:
    envoy = signed_in("envoy", Role.ENVOY)
    landing = envoy.get("/staff/")
    assert landing.status_code == 403  # no queue for the envoy
    first = envoy.get("/staff/reports/")
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    for heading in ("Where submitted cases stand", "Where the pipeline is stuck", "<svg"):
        assert heading in page
    secret = {value for value in _personal_values(staff_app) if len(value) > 3}
    assert secret  # the scan below looks for something
    for period in PERIODS:
        for filters in FILTERS:
            response = envoy.get(f"/staff/reports/?period={period}&{filters}")
            assert response.status_code == 200, (period, filters)
            html = response.get_data(as_text=True)
            assert not [value for value in secret if value in html], (period, filters)
    workbook = envoy.get("/staff/reports/report.xlsx?period=all").get_data()
    texts = " ".join(
        str(cell)
        for sheet in load_workbook(io.BytesIO(workbook)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert not [value for value in secret if value in texts]


def test_the_envoy_signs_in_to_the_reports(staff_app: Flask, make_staff, clock) -> None:
    from tests.review.conftest import sign_in

    user, secret = make_staff("envoy-landing", Role.ENVOY)
    response = sign_in(staff_app.test_client(), user, secret, clock)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/reports/")


def test_the_exports_hold_what_the_page_shows_and_are_audited(
    staff_app: Flask, signed_in, counted: list[Case]
) -> None:
    envoy = signed_in("envoy", Role.ENVOY)
    scope = "period=all&nationality=AF"
    page = _tables(envoy.get(f"/staff/reports/?{scope}").get_data(as_text=True))
    assert page["table-stages"][-1][0] == "Total"
    for slug in ("stages", "flows", "risk", "stuck", "employers"):
        response = envoy.get(f"/staff/reports/{slug}.csv?{scope}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        header = next(i for i, line in enumerate(lines) if line and line[0] == "")
        exported = lines[header + 1 : header + len(page[f"table-{slug}"])]
        on_page = page[f"table-{slug}"][1:]
        assert [_same(row) for row in exported] == [_same(row) for row in on_page], slug
    book = load_workbook(io.BytesIO(envoy.get(f"/staff/reports/report.xlsx?{scope}").get_data()))
    sheet = book.worksheets[0]
    rows = [
        [("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    header = next(i for i, row in enumerate(rows) if row[0] == "" and row[1])
    on_page = [_same(row) for row in page["table-stages"][1:]]
    in_book = rows[header + 1 : header + 1 + len(on_page)]
    assert [_same(row[: len(on_page[0])]) for row in in_book] == on_page
    assert len(book.worksheets) == len(page)
    with staff_app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.exported").order_by(AuditEvent.id)
        ).all()
    assert [(e.details["format"], e.details["tables"].split(",")[0]) for e in events] == [
        ("csv", "stages"),
        ("csv", "flows"),
        ("csv", "risk"),
        ("csv", "stuck"),
        ("csv", "employers"),
        ("xlsx", "stages"),
    ]
    assert all(e.actor_id == envoy.user.id and e.details["nationality"] == "AF" for e in events)
    assert all(e.case_id is None for e in events)


def test_small_counts_are_hidden_on_the_page(staff_app: Flask, signed_in, submitted_case) -> None:
    for _ in range(3):
        submitted_case()
    with staff_app.app_context():
        assert refresh_figures(db.session, staff_app.extensions["portal.keyring"], utcnow())
    envoy = signed_in("envoy", Role.ENVOY)
    tables = _tables(envoy.get("/staff/reports/?period=all").get_data(as_text=True))
    in_review = next(row for row in tables["table-stages"] if row[0] == "in review")
    assert in_review[1:] == ["<10", "<10"]
    numbers = [cell for row in tables["table-stages"][1:] for cell in row[1:]]
    assert set(numbers) <= {"0", "<10"}


@pytest.mark.parametrize(
    "path",
    [
        "/staff/",
        "/staff/audit",
        "/staff/alerts",
        "/staff/cases/{case}",
        "/staff/cases/{case}/export",
    ],
)
def test_the_envoy_reaches_no_personal_data(
    staff_app: Flask, signed_in, counted: list[Case], path: str
) -> None:
    envoy = signed_in("envoy", Role.ENVOY)
    response = envoy.get(path.format(case=counted[0].id))
    assert response.status_code == 403


def test_administrators_read_the_reports_too(
    staff_app: Flask, signed_in, counted: list[Case]
) -> None:
    admin = signed_in("admin", Role.ADMIN)
    assert admin.get("/staff/reports/?period=year").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "period=decade",
        "period=week&start=not-a-date",
        "period=month&start=9999-12-31",
        "period=year&start=0001-01-01",
        "programme=everyone&nationality=Afghanistan&country=%00",
        "period=quarter&start=2026-02-30",
    ],
)
def test_nonsense_in_the_address_falls_back_to_a_fixed_period(
    staff_app: Flask, signed_in, counted: list[Case], query: str
) -> None:
    envoy = signed_in("envoy", Role.ENVOY)
    response = envoy.get(f"/staff/reports/?{query}")
    assert response.status_code == 200
    assert re.search(r"<h1>[^<]+</h1>", response.get_data(as_text=True))


def test_an_unknown_table_is_not_found(staff_app: Flask, signed_in, counted: list[Case]) -> None:
    envoy = signed_in("envoy", Role.ENVOY)
    assert envoy.get("/staff/reports/people.csv").status_code == 404


def test_principal_fixture_names_are_what_the_scan_looks_for() -> None:
    assert PRINCIPAL["family_name_latin"]
