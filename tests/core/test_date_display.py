"""Dates shown back: to applicants as entered, in their digits; to staff in Gregorian with
the original beside it (portal.core.date_display, portal.core.numerals)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask import Flask
from flask_babel import refresh

from portal.core.date_display import (
    applicant_date,
    applicant_date_range,
    applicant_day,
    staff_date,
)
from portal.core.numerals import native_digits


@contextmanager
def _page_in(app: Flask, language: str) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": language.replace("_", "-")}):
        refresh()  # the app context is shared: forget the last request's language
        yield


@pytest.mark.parametrize(
    ("language", "digits"),
    [
        ("fa_AF", "۱۳۶۴"),  # Extended Arabic-Indic, as Dari, Farsi and Pashto write
        ("ps", "۱۳۶۴"),
        ("fa", "۱۳۶۴"),
        ("ar", "١٣٦٤"),  # Arabic-Indic
        ("ru", "1364"),
        ("de", "1364"),
    ],
)
def test_digits_are_written_as_the_language_writes_them(language: str, digits: str) -> None:
    assert native_digits("1364", language) == digits


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("fa_AF", "SH:1364", "۱۳۶۴ (هجری شمسی)"),
        ("fa_AF", "SH:1364-01-21", "۱۳۶۴/۰۱/۲۱ (هجری شمسی)"),
        ("ps", "SH:1403-12-30", "۱۴۰۳/۱۲/۳۰ (لمریز هجري)"),
        ("fa_AF", "1987-03", "۱۹۸۷/۰۳ (میلادی)"),
        ("en", "1987-03-21", "Mar 21, 1987"),
        ("en", "1987", "1987"),
        ("de", "2000-02", "Februar 2000"),
        ("en", None, ""),
    ],
)
def test_an_applicant_sees_a_date_as_entered(
    app: Flask, language: str, stored: str | None, shown: str
) -> None:
    with _page_in(app, language):
        assert applicant_date(stored) == shown


def test_a_range_reads_from_start_to_end_with_each_date_isolated(app: Flask) -> None:
    with _page_in(app, "fa_AF"):
        assert str(applicant_date_range("SH:1391-01", "SH:1400-06")) == (
            "از <bdi>۱۳۹۱/۰۱ (هجری شمسی)</bdi> تا <bdi>۱۴۰۰/۰۶ (هجری شمسی)</bdi>"
        )
    with _page_in(app, "en"):
        assert str(applicant_date_range("2012-03", None)) == "from <bdi>March 2012</bdi> until now"
        assert "&lt;" in str(applicant_date_range("<b>", None))  # never markup from data


def test_a_day_the_portal_recorded_is_shown_in_the_languages_calendar(app: Flask) -> None:
    with _page_in(app, "fa_AF"):
        assert applicant_day(date(2025, 3, 21)) == "۱۴۰۴/۰۱/۰۱ (هجری شمسی)"
    with _page_in(app, "en"):
        assert applicant_day(date(2025, 3, 21)) == "Mar 21, 2025"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("SH:1364", "1985-03-21 – 1986-03-20 (1364 SH, year only)"),
        ("SH:1364-10", "1985-12-22 – 1986-01-20 (1364-10 SH, month only)"),
        ("SH:1366-01-01", "1987-03-21 (1366-01-01 SH)"),
        ("1987-03", "1987-03"),  # entered in Gregorian: as it is
        (None, ""),
    ],
)
def test_staff_see_gregorian_with_the_original_beside_it(
    app: Flask, stored: str | None, shown: str
) -> None:
    with _page_in(app, "en"):
        assert staff_date(stored) == shown
