"""Approximate dates (portal.core.normalise): what a date of birth can and cannot tell."""

from datetime import date

import pytest

from portal.core.normalise import (
    ApproximateDate,
    age_range,
    birth_date_agreement,
    parse_approximate_date,
    surely_before,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990", ApproximateDate(1990)),
        ("1990-05", ApproximateDate(1990, 5)),
        ("1990-05-17", ApproximateDate(1990, 5, 17)),
        ("۱۹۹۰-۰۵-۱۷", ApproximateDate(1990, 5, 17)),  # Persian digits
        ("١٩٩٠-٠٥", ApproximateDate(1990, 5)),  # Arabic-Indic digits
        ("2000-02-29", ApproximateDate(2000, 2, 29)),
    ],
)
def test_dates_known_to_the_year_month_or_day(text: str, expected: ApproximateDate) -> None:
    assert parse_approximate_date(text) == expected


@pytest.mark.parametrize(
    "junk",
    [None, "", "90", "1990-13", "1990-02-30", "1999-02-29", "1990-00", "0000", "1990/05/17", "x"],
)
def test_what_is_not_a_date_gives_none(junk: str | None) -> None:
    assert parse_approximate_date(junk) is None


def test_the_range_a_date_spans() -> None:
    year = parse_approximate_date("1990")
    month = parse_approximate_date("1992-02")
    day = parse_approximate_date("1990-05-17")
    assert year and month and day
    assert (year.earliest, year.latest) == (date(1990, 1, 1), date(1990, 12, 31))
    assert (month.earliest, month.latest) == (date(1992, 2, 1), date(1992, 2, 29))
    assert day.earliest == day.latest == date(1990, 5, 17)


def test_first_of_january_is_a_placeholder_that_spans_its_year() -> None:
    """Tazkiras carry 1 January when only the year is known: weak evidence of the day."""
    placeholder = parse_approximate_date("1990-01-01")
    assert placeholder is not None
    assert placeholder.placeholder and not placeholder.exact
    assert (placeholder.earliest, placeholder.latest) == (date(1990, 1, 1), date(1990, 12, 31))
    second = parse_approximate_date("1990-01-02")
    assert second is not None and second.exact and not second.placeholder


def test_age_range_of_approximate_dates() -> None:
    today = date(2026, 6, 1)
    assert age_range(ApproximateDate(2008, 5, 31), today) == (18, 18)
    assert age_range(ApproximateDate(2008, 6, 2), today) == (17, 17)
    assert age_range(ApproximateDate(2008), today) == (17, 18)
    assert age_range(ApproximateDate(2008, 1, 1), today) == (17, 18)  # the placeholder
    assert age_range(ApproximateDate(2008, 7), today) == (17, 17)


def test_surely_before_needs_every_reading_to_agree() -> None:
    assert surely_before(ApproximateDate(1989), ApproximateDate(1990))
    assert not surely_before(ApproximateDate(1990), ApproximateDate(1990, 5, 17))
    assert not surely_before(ApproximateDate(1990, 1, 1), ApproximateDate(1990, 3, 1))
    assert surely_before(ApproximateDate(1990, 1, 2), ApproximateDate(1990, 3, 1))


@pytest.mark.parametrize(
    ("one", "other", "agreement"),
    [
        ("1990-05-17", "1990-05-17", "same_date"),
        ("1990-05-17", "1990-06-01", "same_year"),
        ("1990-01-01", "1990-01-01", "same_year"),  # two placeholders prove no day
        ("1990", "1990-05-17", "same_year"),
        ("1990", "1992", "near_year"),
        ("1990", "1993", "different_year"),
        ("1990", None, "unknown"),
        (None, None, "unknown"),
    ],
)
def test_how_two_birth_dates_support_a_match(
    one: str | None, other: str | None, agreement: str
) -> None:
    first, second = parse_approximate_date(one), parse_approximate_date(other)
    assert birth_date_agreement(first, second) == agreement
    assert birth_date_agreement(second, first) == agreement


# Solar Hijri dates, as applicants enter them ("SH:1364"): the Gregorian days they span.


def test_a_solar_hijri_date_spans_the_gregorian_days_it_covers() -> None:
    year = parse_approximate_date("SH:1364")
    assert year is not None
    assert (year.earliest, year.latest) == (date(1985, 3, 21), date(1986, 3, 20))
    assert not year.exact
    day = parse_approximate_date("SH:1399-12-30")  # a leap year's 30 Esfand
    assert day is not None and day.exact and day.earliest == date(2021, 3, 20)
    assert parse_approximate_date("SH:1400-12-30") is None  # 1400 has no 30 Esfand


@pytest.mark.parametrize(
    ("listed", "agreement"),
    [
        ("1985", "same_year"),
        ("1986", "same_year"),  # January to March 1986 is still 1364
        ("1987", "near_year"),
        ("1990", "different_year"),
    ],
)
def test_a_solar_hijri_year_agrees_with_either_gregorian_year_it_covers(
    listed: str, agreement: str
) -> None:
    born = parse_approximate_date("SH:1364")
    assert birth_date_agreement(born, parse_approximate_date(listed)) == agreement


def test_the_same_day_in_both_calendars_is_the_same_date() -> None:
    one, other = parse_approximate_date("SH:1366-01-01"), parse_approximate_date("1987-03-21")
    assert birth_date_agreement(one, other) == "same_date"


def test_ages_from_a_solar_hijri_year_take_its_whole_span() -> None:
    born = parse_approximate_date("SH:1364")
    assert born is not None
    # Born between 21 March 1985 and 20 March 1986: on 1 March 2004, 17 or 18.
    assert age_range(born, date(2004, 3, 1)) == (17, 18)
