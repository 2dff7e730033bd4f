"""In Chromium: the envoy signs in with a TOTP code, lands on the reports, changes the period
and a filter through the form, downloads a table and the whole workbook and finds in them what
the page showed; and the report page has no serious accessibility violation."""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.employers import refresh_figures
from tests.browser.axe import serious_violations
from tests.browser.staff import make_account, staff_sign_in
from tests.factories import make_case, put_watchlist_in_force
from tests.review.conftest import through_intake

CASES = 12


@pytest.fixture
def counted(live_app: tuple[Flask, str]) -> tuple[Flask, str]:
    """A dozen cases through intake, and the figures counted, as the worker leaves them."""
    app, _base = live_app
    with app.app_context():
        put_watchlist_in_force(db.session)
        for _ in range(CASES):
            case, _code = make_case(db.session)
            through_intake(case)
        assert refresh_figures(db.session, app.extensions["portal.keyring"], utcnow())
        db.session.remove()
    return live_app


@pytest.fixture
def envoy_desk(browser: Any, counted: tuple[Flask, str]) -> Iterator[tuple[Any, str]]:
    """The envoy, signed in at a desk; axe's script allowed past the page's CSP."""
    app, base = counted
    secret = make_account(app, "envoy", Role.ENVOY)
    desk = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = desk.new_page()
    staff_sign_in(page, base, "envoy", secret, lands_on="table#table-stages")
    yield page, base
    desk.close()


def _show(page: Any, **choices: str) -> None:
    """Choose in the filter form and send it, as the envoy would."""
    for name, value in choices.items():
        page.select_option(f"form.filters select[name={name}]", value)
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()


def _row_labels(page: Any, slug: str) -> list[str]:
    return [label.strip() for label in page.locator(f"#table-{slug} tbody th").all_inner_texts()]


def _download(page: Any, link_text: str, folder: Path) -> Path:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_text).click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def _labels_after_header(rows: list[list[str]], count: int) -> list[str]:
    """The first column of a table in a file: the rows after the column header (the row that
    starts with an empty cell)."""
    header = next(i for i, row in enumerate(rows) if row and row[0] == "" and any(row[1:]))
    return [row[0] for row in rows[header + 1 : header + 1 + count]]


@pytest.mark.browser
def test_the_envoy_filters_the_report_and_downloads_what_it_shows(
    envoy_desk: tuple[Any, str], tmp_path: Path
) -> None:
    page, base = envoy_desk
    assert page.url == base + "/staff/reports/"
    heading = page.locator("h1")
    assert "Quarter" in heading.inner_text()  # the current quarter unless asked otherwise

    _show(page, period="all")
    assert heading.inner_text().endswith("All time")
    assert page.locator("select[name=period]").input_value() == "all"

    _show(page, period="year")
    year = utcnow().year  # the server's calendar
    assert heading.inner_text().endswith(str(year))
    assert page.get_by_role("link", name=f"Previous: {year - 1}").count() == 1

    _show(page, period="all", nationality="AF")
    assert "nationality=AF" in page.url
    assert heading.inner_text().endswith("All time")
    title = page.locator("#table-stages caption").inner_text().strip()
    labels = _row_labels(page, "stages")
    assert labels[-1] == "Total" and "in review" in labels
    # Twelve cases in review are enough to be shown as a count, not hidden as "<10".
    in_review = page.locator("#table-stages tbody tr", has_text="in review")
    assert "<" not in in_review.locator("td").first.inner_text()

    table_file = _download(page, f"Download “{title}” (CSV)", tmp_path)
    assert table_file.suffix == ".csv"
    with table_file.open(newline="", encoding="utf-8") as opened:
        lines = list(csv.reader(opened))
    assert lines[0] == [title]
    assert _labels_after_header(lines, len(labels)) == labels

    book_file = _download(page, "Download every table (spreadsheet)", tmp_path)
    assert book_file.suffix == ".xlsx"
    sheet = load_workbook(book_file).worksheets[0]
    rows = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == title
    assert _labels_after_header(rows, len(labels)) == labels


@pytest.mark.browser
def test_the_report_page_has_no_serious_violations(envoy_desk: tuple[Any, str]) -> None:
    page, base = envoy_desk
    problems = {}
    for query in ("period=all", "period=all&programme=local_staff&nationality=AF", "period=year"):
        response = page.goto(f"{base}/staff/reports/?{query}")
        assert response is not None and response.status == 200, query
        assert page.locator("svg").count() > 0, query  # the charts are part of what is checked
        problems[query] = serious_violations(page)
    assert {query: found for query, found in problems.items() if found} == {}
