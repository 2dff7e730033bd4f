"""Dates as applicants know them: often only a year, often in the Solar Hijri calendar.

Afghan tazkiras and most Afghans count years in the Solar Hijri calendar (1366 is 1987).
A year in SOLAR_HIJRI_YEARS cannot be a Gregorian birth year of a living applicant, so it
is read as Solar Hijri and converted; the stored date is always Gregorian ISO text,
possibly approximate ("1987", "1987-03" or "1987-03-21").
"""

import jdatetime

SOLAR_HIJRI_YEARS = range(1290, 1500)
# The middle of a Solar Hijri month, to name the Gregorian month most of it falls in.
_MID_MONTH = 15


def is_solar_hijri(year: int) -> bool:
    return year in SOLAR_HIJRI_YEARS


def to_gregorian(
    year: int, month: int | None, day: int | None
) -> tuple[int, int | None, int | None]:
    """The Gregorian (year, month, day) of a Solar Hijri date known to year, month or day.

    Raises ValueError for a day that does not exist in the Solar Hijri month.
    """
    if month is None:
        return year + 621, None, None  # nine of its twelve months fall in that year
    if day is None:
        converted = jdatetime.date(year, month, _MID_MONTH).togregorian()
        return converted.year, converted.month, None
    converted = jdatetime.date(year, month, day).togregorian()
    return converted.year, converted.month, converted.day
