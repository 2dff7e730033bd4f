"""The fixed calendar periods a report covers.

Only whole calendar weeks, months, quarters and years (and all time) can be chosen: two
custom ranges that overlap by a day could be subtracted from each other to isolate that
day, and with it perhaps one person.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date

from portal.cases.figures import next_period, period_start
from portal.cases.models import Grain
from portal.core.i18n import _ls, _s

ALL_TIME = "all"
# The first day any figure can fall on; "all time" starts here.
EPOCH = date(2000, 1, 1)
CHOICES = (
    (Grain.WEEK.value, _ls("Week")),
    (Grain.MONTH.value, _ls("Month")),
    (Grain.QUARTER.value, _ls("Quarter")),
    (Grain.YEAR.value, _ls("Year")),
    (ALL_TIME, _ls("All time")),
)


@dataclass(frozen=True)
class Period:
    """A calendar period: its grain (None for all time) and first day, up to ``end``."""

    grain: Grain | None
    start: date

    @property
    def end(self) -> date:
        """The first day after the period."""
        return next_period(self.grain, self.start) if self.grain else date.max

    @property
    def code(self) -> str:
        return self.grain.value if self.grain else ALL_TIME

    def previous(self) -> "Period | None":
        if self.grain is None:
            return None
        return Period(self.grain, period_start(self.grain, self.start - timedelta(days=1)))

    def following(self, today: date) -> "Period | None":
        if self.grain is None or self.end > today:
            return None
        return Period(self.grain, self.end)

    def label(self) -> str:
        if self.grain is None:
            return _s("All time")
        if self.grain == Grain.WEEK:
            iso = self.start.isocalendar()
            return _s(
                "Week %(week)s of %(year)s (%(first)s to %(last)s)",
                week=iso.week,
                year=iso.year,
                first=format_date(self.start, "short"),
                last=format_date(self.end - timedelta(days=1), "short"),
            )
        if self.grain == Grain.MONTH:
            return format_date(self.start, "LLLL y")
        if self.grain == Grain.QUARTER:
            quarter = (self.start.month + 2) // 3
            return _s("Quarter %(quarter)s of %(year)s", quarter=quarter, year=self.start.year)
        return str(self.start.year)


def chosen_period(code: str | None, start: str | None, today: date) -> Period:
    """The period a request asks for; the current quarter when it asks for none or nonsense.

    A start inside a period is moved to the period's first day, and a future one to the
    current period, so that every URL names one of the fixed periods.
    """
    if code == ALL_TIME:
        return Period(None, EPOCH)
    grain = Grain(code) if code in {g.value for g in Grain} else Grain.QUARTER
    try:
        day = min(date.fromisoformat(start), today) if start else today
    except ValueError:
        day = today
    return Period(grain, period_start(grain, max(day, EPOCH)))
