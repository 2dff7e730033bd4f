from datetime import date

import pytest

from portal.core.dates import (
    Calendar,
    EnteredDate,
    calendars_for,
    is_solar_hijri,
    solar_hijri_of,
    year_fits,
)


@pytest.mark.parametrize(
    ("year", "expected"), [(1366, True), (1987, False), (1899, False), (1290, True)]
)
def test_which_years_are_solar_hijri(year: int, expected: bool) -> None:
    assert is_solar_hijri(year) is expected


# Dates kept as entered (EnteredDate): the calendar and the parts, with a Gregorian range.

SH, GREGORIAN = Calendar.SOLAR_HIJRI, Calendar.GREGORIAN


@pytest.mark.parametrize(
    ("entered", "text", "earliest", "latest"),
    [
        # A Solar Hijri year alone covers parts of two Gregorian years.
        (EnteredDate(SH, 1364), "SH:1364", date(1985, 3, 21), date(1986, 3, 20)),
        # Leap years: 1399 and 1403 have a 30 Esfand, so their years end a day later.
        (EnteredDate(SH, 1399), "SH:1399", date(2020, 3, 20), date(2021, 3, 20)),
        (EnteredDate(SH, 1403, 12, 30), "SH:1403-12-30", date(2025, 3, 20), date(2025, 3, 20)),
        (EnteredDate(SH, 1399, 12, 30), "SH:1399-12-30", date(2021, 3, 20), date(2021, 3, 20)),
        # A month across the Gregorian New Year: Dey 1364.
        (EnteredDate(SH, 1364, 10), "SH:1364-10", date(1985, 12, 22), date(1986, 1, 20)),
        (EnteredDate(SH, 1366, 1, 1), "SH:1366-01-01", date(1987, 3, 21), date(1987, 3, 21)),
        (EnteredDate(GREGORIAN, 1987), "1987", date(1987, 1, 1), date(1987, 12, 31)),
        (EnteredDate(GREGORIAN, 2000, 2), "2000-02", date(2000, 2, 1), date(2000, 2, 29)),
        (EnteredDate(GREGORIAN, 1900, 2), "1900-02", date(1900, 2, 1), date(1900, 2, 28)),
        (EnteredDate(GREGORIAN, 2024, 2, 29), "2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
    ],
)
def test_an_entered_date_round_trips_and_spans_its_gregorian_days(
    entered: EnteredDate, text: str, earliest: date, latest: date
) -> None:
    assert entered.to_text() == text
    assert EnteredDate.from_text(text) == entered
    assert (entered.earliest, entered.latest) == (earliest, latest)


@pytest.mark.parametrize(
    "parts",
    [
        (SH, 1400, 12, 30),  # 1400 is a common year: Esfand has 29 days
        (SH, 1366, 7, 31),  # the second half-year's months have 30 days
        (GREGORIAN, 2023, 2, 29),
        (GREGORIAN, 1900, 2, 29),  # a century that is not a leap year
        (GREGORIAN, 1987, 13, None),
        (SH, 1366, None, 5),  # a day without its month
    ],
)
def test_a_date_that_does_not_exist_is_refused(parts: tuple) -> None:
    with pytest.raises(ValueError):
        EnteredDate(*parts)
    stored = f"{'SH:' if parts[0] is SH else ''}{parts[1]}-{parts[2] or 0:02d}-{parts[3] or 0:02d}"
    assert EnteredDate.from_text(stored) is None


@pytest.mark.parametrize(
    "old", ["1987", "1987-03", "1987-03-21"]
)  # stored before the calendar was kept
def test_dates_stored_before_the_calendar_was_kept_read_as_gregorian(old: str) -> None:
    entered = EnteredDate.from_text(old)
    assert entered is not None and entered.calendar is GREGORIAN
    assert entered.to_text() == old


@pytest.mark.parametrize("junk", [None, "", "87", "SH:", "sh:1364", "1364 SH", "1987/03/21"])
def test_other_text_is_no_date(junk: str | None) -> None:
    assert EnteredDate.from_text(junk) is None


def test_the_calendars_offered_follow_the_language() -> None:
    assert calendars_for("fa_AF") == (SH, GREGORIAN)
    assert calendars_for("ps") == (SH, GREGORIAN)
    assert calendars_for("fa") == (SH, GREGORIAN)
    assert calendars_for("ar") == (GREGORIAN,)
    assert calendars_for("en") == (GREGORIAN,)


@pytest.mark.parametrize(
    ("calendar", "year", "fits"),
    [(SH, 1364, True), (SH, 1985, False), (GREGORIAN, 1985, True), (GREGORIAN, 1364, False)],
)
def test_a_year_is_checked_against_the_chosen_calendar(
    calendar: Calendar, year: int, fits: bool
) -> None:
    assert year_fits(calendar, year) is fits


def test_a_gregorian_day_has_its_solar_hijri_date() -> None:
    assert solar_hijri_of(date(2025, 3, 20)) == (1403, 12, 30)
    assert solar_hijri_of(date(2025, 3, 21)) == (1404, 1, 1)
