"""Dates of birth as applicants can give them: to the year, the month or the day."""

import functools
import re
from dataclasses import dataclass
from datetime import date

from portal.core.dates import SOLAR_HIJRI_PREFIX, Calendar, EnteredDate
from portal.core.normalise.script import fold_letters


def birth_year(approximate_date: str | None) -> str | None:
    """The year of an ISO date that may be approximate ("1990", "1990-05", "1990-05-17").

    The year as written: for a Solar Hijri date ("SH:1364") that is its Solar Hijri year;
    ``birth_years`` gives the Gregorian years a date may fall in.
    """
    if not approximate_date:
        return None
    # Fold Persian, Arabic-Indic and fullwidth digits so "۱۹۹۰" gives "1990" like "1990";
    # ASCII-only matching, since Python's \d would also accept (and return) other digits.
    folded = fold_letters(approximate_date).removeprefix(SOLAR_HIJRI_PREFIX)
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", folded):
        return folded[:4]
    return None


def birth_years(approximate_date: str | None) -> list[str]:
    """The Gregorian years a stored date of birth may fall in, earliest first.

    One for a Gregorian date; two for a Solar Hijri year alone (1364 runs from March 1985
    to March 1986) or for a month across New Year (Dey), so that a duplicate or a list
    entry born in either year is found. Empty for anything that is not such a date.
    """
    parsed = parse_approximate_date(approximate_date)
    if parsed is None:
        return []
    return [str(year) for year in range(parsed.earliest.year, parsed.latest.year + 1)]


@dataclass(frozen=True)
class ApproximateDate:
    """A date known to the year, the month or the day, as applicants can give it.

    1 January is the date documents (tazkiras above all) carry when only the year is known,
    so "1990-01-01" counts as weak evidence: it spans the whole year like "1990".
    """

    year: int
    month: int | None = None
    day: int | None = None
    # The calendar the parts are in: a Solar Hijri date spans the Gregorian days it covers.
    calendar: Calendar = Calendar.GREGORIAN

    @property
    def placeholder(self) -> bool:
        return self.calendar is Calendar.GREGORIAN and self.month == 1 and self.day == 1

    @property
    def _entered(self) -> EnteredDate:
        if self.placeholder:
            return EnteredDate(self.calendar, self.year)
        return EnteredDate(self.calendar, self.year, self.month, self.day)

    @property
    def exact(self) -> bool:
        return self.day is not None and not self.placeholder

    # Worked out once per date: screening and indexing ask for them many times, and a
    # Solar Hijri date is converted each time otherwise.
    @functools.cached_property
    def earliest(self) -> date:
        return self._entered.earliest

    @functools.cached_property
    def latest(self) -> date:
        return self._entered.latest


# The same dates recur (a screening batch, the demo seeder's million cases); the result is
# immutable, so one parse serves them all.
@functools.lru_cache(maxsize=65536)
def parse_approximate_date(text: str | None) -> ApproximateDate | None:
    """ "1990", "1990-05" or "1990-05-17" (any digits folded to ASCII), or the same with
    "SH:" in front for a Solar Hijri date; None for anything else."""
    if not text or birth_year(text) is None:
        return None
    folded = fold_letters(text)
    solar_hijri = folded.startswith(SOLAR_HIJRI_PREFIX)
    year, *rest = (int(part) for part in folded.removeprefix(SOLAR_HIJRI_PREFIX).split("-"))
    month = rest[0] if rest else None
    day = rest[1] if len(rest) > 1 else None
    kind = Calendar.SOLAR_HIJRI if solar_hijri else Calendar.GREGORIAN
    try:
        # EnteredDate refuses month 13, 30 February and 30 Esfand of a common year.
        EnteredDate(kind, year, month, day)
    except ValueError:
        return None
    parsed = ApproximateDate(year, month, day, kind)
    if parsed.earliest.year < 1800:  # a typo, not an age
        return None
    return parsed


def age_range(born: ApproximateDate, on: date) -> tuple[int, int]:
    """The youngest and the oldest a person born on ``born`` can be on ``on``."""

    def age(birthday: date) -> int:
        return on.year - birthday.year - ((on.month, on.day) < (birthday.month, birthday.day))

    return age(born.latest), age(born.earliest)


def surely_before(one: ApproximateDate, other: ApproximateDate) -> bool:
    """True only if every date ``one`` may be comes before every date ``other`` may be."""
    return one.latest < other.earliest


def birth_date_agreement(one: ApproximateDate | None, other: ApproximateDate | None) -> str:
    """How two dates of birth support a match: "same_date", "same_year", "near_year"
    (one or two years apart: ages are often estimated), "different_year" or "unknown"."""
    if one is None or other is None:
        return "unknown"
    if one.exact and other.exact and one.earliest == other.earliest:
        return "same_date"
    # Years apart, counted between the ranges: the Solar Hijri year 1364 (March 1985 to
    # March 1986) is the same year as 1985 and as 1986.
    gap = max(0, one.earliest.year - other.latest.year, other.earliest.year - one.latest.year)
    return "same_year" if gap == 0 else "near_year" if gap <= 2 else "different_year"
