"""Dates as applicants know them: often only a year, often in the Solar Hijri calendar.

Afghan tazkiras and most Afghans count years in the Solar Hijri calendar (1366 began on
21 March 1987). A date is kept the way the person entered it: the calendar and the parts
they knew (year; year and month; or a full date). Its Gregorian meaning is a range, from
the first to the last day it may be: the Solar Hijri year 1364 is 21 March 1985 to
20 March 1986, never "1985". Screening, duplicates and ages work on that range.

Stored text (inside sealed columns): a Gregorian date is ISO text as precise as it was
given ("1987", "1987-03", "1987-03-21"), the format every older record has; a Solar Hijri
date carries the prefix "SH:" ("SH:1364", "SH:1364-01", "SH:1364-01-21"), which nothing
reading the first four characters as a Gregorian year can mistake for one.

jdatetime does the conversions: maintained, pure Python, and it follows the arithmetic
(33-year cycle) leap rule that Iran's and Afghanistan's calendars agree with for every
year a living person can have been born in.
"""

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import jdatetime


class Calendar(StrEnum):
    SOLAR_HIJRI = "solar_hijri"
    GREGORIAN = "gregorian"


SOLAR_HIJRI_PREFIX = "SH:"
# Years that can only be Solar Hijri (or only Gregorian) for a living person or a job: used
# to catch a year entered in the other calendar than the one chosen, never to guess.
SOLAR_HIJRI_YEARS = range(1290, 1500)
GREGORIAN_YEARS = range(1870, 2200)
# Languages whose speakers count years in Solar Hijri; they are offered both calendars,
# Solar Hijri first. Every other language uses the Gregorian calendar only.
SOLAR_HIJRI_LANGUAGES = frozenset({"fa_AF", "ps", "fa"})
_STORED = re.compile(r"(SH:)?([0-9]{4})(?:-([0-9]{2}))?(?:-([0-9]{2}))?")


def calendars_for(language: str) -> tuple[Calendar, ...]:
    """The calendars offered in a language, the default first."""
    if language in SOLAR_HIJRI_LANGUAGES:
        return (Calendar.SOLAR_HIJRI, Calendar.GREGORIAN)
    return (Calendar.GREGORIAN,)


def is_solar_hijri(year: int) -> bool:
    return year in SOLAR_HIJRI_YEARS


def year_fits(calendar_: Calendar, year: int) -> bool:
    """Whether ``year`` is a plausible year of ``calendar_`` (1364 is not a Gregorian one)."""
    return year in (SOLAR_HIJRI_YEARS if calendar_ is Calendar.SOLAR_HIJRI else GREGORIAN_YEARS)


# jdatetime reads the process's locale on every date it makes: conversions are kept.
@functools.lru_cache(maxsize=4096)
def _solar_hijri_month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


@functools.lru_cache(maxsize=65536)
def _gregorian_of(year: int, month: int, day: int) -> date:
    """The Gregorian day of a Solar Hijri one."""
    return jdatetime.date(year, month, day).togregorian()


@dataclass(frozen=True)
class EnteredDate:
    """A date as the person entered it: a calendar, a year, and the month and day if known.

    Raises ValueError when built with a month outside 1 to 12, a day without a month, or a
    day that the month does not have (30 Esfand only in a leap year, 29 February likewise).
    """

    calendar: Calendar
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("month")
        if self.day is not None and self.month is None:
            raise ValueError("day without month")
        if not 1 <= self.year <= 9999:
            raise ValueError("year")
        if self.day is not None and not 1 <= self.day <= self._month_length(self.month or 1):
            raise ValueError("day")

    def _month_length(self, month: int) -> int:
        if self.calendar is Calendar.SOLAR_HIJRI:
            return _solar_hijri_month_length(self.year, month)
        return calendar.monthrange(self.year, month)[1]

    @property
    def precision(self) -> str:
        """ "year", "month" or "day": how much of the date was given."""
        return "year" if self.month is None else "month" if self.day is None else "day"

    @property
    def earliest(self) -> date:
        """The first Gregorian day the date may be."""
        month, day = self.month or 1, self.day or 1
        if self.calendar is Calendar.SOLAR_HIJRI:
            return _gregorian_of(self.year, month, day)
        return date(self.year, month, day)

    @property
    def latest(self) -> date:
        """The last Gregorian day the date may be."""
        month = self.month or 12
        day = self.day or self._month_length(month)
        if self.calendar is Calendar.SOLAR_HIJRI:
            return _gregorian_of(self.year, month, day)
        return date(self.year, month, day)

    @property
    def gregorian_years(self) -> range:
        """Every Gregorian year the date may fall in: two for most Solar Hijri years."""
        return range(self.earliest.year, self.latest.year + 1)

    def to_text(self) -> str:
        """The stored form: ISO parts, with "SH:" in front of a Solar Hijri date."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        prefix = SOLAR_HIJRI_PREFIX if self.calendar is Calendar.SOLAR_HIJRI else ""
        return prefix + "-".join(parts)

    @classmethod
    def from_text(cls, text: str | None) -> "EnteredDate | None":
        """The date stored as ``text`` (both forms above); None for anything else."""
        found = _STORED.fullmatch(text or "")
        if found is None:
            return None
        solar_hijri, year, month, day = found.groups()
        try:
            return cls(
                Calendar.SOLAR_HIJRI if solar_hijri else Calendar.GREGORIAN,
                int(year),
                int(month) if month else None,
                int(day) if day else None,
            )
        except ValueError:
            return None


def solar_hijri_of(day: date) -> tuple[int, int, int]:
    """The Solar Hijri (year, month, day) of a Gregorian day."""
    converted = jdatetime.date.fromgregorian(date=day)
    return converted.year, converted.month, converted.day
