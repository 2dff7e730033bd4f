"""Dates of birth as applicants can give them: to the year, the month or the day."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from portal.core.normalise.script import fold_letters


def birth_year(approximate_date: str | None) -> str | None:
    """The year of an ISO date that may be approximate ("1990", "1990-05", "1990-05-17")."""
    if not approximate_date:
        return None
    # Fold Persian, Arabic-Indic and fullwidth digits so "۱۹۹۰" gives "1990" like "1990";
    # ASCII-only matching, since Python's \d would also accept (and return) other digits.
    folded = fold_letters(approximate_date)
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", folded):
        return folded[:4]
    return None


@dataclass(frozen=True)
class ApproximateDate:
    """A date known to the year, the month or the day, as applicants can give it.

    1 January is the date documents (tazkiras above all) carry when only the year is known,
    so "1990-01-01" counts as weak evidence: it spans the whole year like "1990".
    """

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def placeholder(self) -> bool:
        return self.month == 1 and self.day == 1

    @property
    def exact(self) -> bool:
        return self.day is not None and not self.placeholder

    @property
    def earliest(self) -> date:
        if self.month is None or self.placeholder:
            return date(self.year, 1, 1)
        return date(self.year, self.month, self.day or 1)

    @property
    def latest(self) -> date:
        if self.month is None or self.placeholder:
            return date(self.year, 12, 31)
        return date(
            self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1]
        )


def parse_approximate_date(text: str | None) -> ApproximateDate | None:
    """ "1990", "1990-05" or "1990-05-17" (any digits folded to ASCII); None for anything else."""
    if not text or birth_year(text) is None:
        return None
    parts = [int(part) for part in fold_letters(text).split("-")]
    try:
        parsed = ApproximateDate(*parts)
        _ = parsed.latest  # date() refuses month 13 and 30 February
    except ValueError:
        return None
    if parsed.year < 1800:  # a typo, not an age
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
    if one.exact and other.exact and one == other:
        return "same_date"
    gap = abs(one.year - other.year)
    return "same_year" if gap == 0 else "near_year" if gap <= 2 else "different_year"
