"""Dates shown to applicants the way they entered them, and to staff in Gregorian.

An applicant sees a date in the calendar they entered it in, with the parts they gave and
the digits of their language: "۱۳۶۴/۰۱/۲۱ (هجری شمسی)". Staff see the Gregorian date or
range first, so lists sort and compare, with the original beside it:
"1985-03-21 – 1986-03-20 (1364 SH, year only)".
"""

from datetime import UTC, date, datetime

from babel.dates import format_date, format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.core.dates import Calendar, EnteredDate, calendars_for, solar_hijri_of
from portal.core.i18n import _s, current_language
from portal.core.numerals import native_digits


def _language() -> str:
    return current_language().code


def _numeric(entered: EnteredDate) -> str:
    # Year first, as tazkiras write it; "/" keeps the parts in one left-to-right run of
    # digits inside right-to-left text.
    parts = [f"{entered.year:04d}"] + [f"{p:02d}" for p in (entered.month, entered.day) if p]
    return "/".join(parts)


def _gregorian_words(entered: EnteredDate) -> str:
    locale = get_locale()
    if entered.day is not None:
        return format_date(entered.earliest, "medium", locale=locale)
    if entered.month is not None:
        return format_skeleton("yMMMM", date(entered.year, entered.month, 1), locale=locale)
    return str(entered.year)


def applicant_date(value: "str | EnteredDate | None") -> str:
    """A stored date as the applicant entered it, in their language's digits; "" if none.

    Where two calendars are offered, the calendar is named after the date; elsewhere a
    Gregorian date is written as the language writes dates.
    """
    entered = value if isinstance(value, EnteredDate) else EnteredDate.from_text(value)
    if entered is None:
        return str(value or "")
    language = _language()
    if entered.calendar is Calendar.SOLAR_HIJRI:
        text = _("%(date)s (Solar Hijri)", date=_numeric(entered))
    elif len(calendars_for(language)) > 1:
        text = _("%(date)s (Gregorian)", date=_numeric(entered))
    else:
        text = _gregorian_words(entered)
    return native_digits(text, language)


def applicant_date_range(start: str | None, end: str | None) -> Markup:
    """ "from … to …" with each date isolated, so it reads in order in right-to-left text."""
    first = Markup("<bdi>%s</bdi>") % applicant_date(start)
    if not end:
        return escape(_("from %(start)s until now")) % {"start": first}
    last = Markup("<bdi>%s</bdi>") % applicant_date(end)
    return escape(_("from %(start)s to %(end)s")) % {"start": first, "end": last}


def applicant_day(day: date | None) -> str:
    """A day the portal recorded (a message, a change of status), in the language's own
    calendar: Solar Hijri where it is offered first, else Gregorian."""
    if day is None:
        return ""
    if calendars_for(_language())[0] is Calendar.SOLAR_HIJRI:
        return applicant_date(EnteredDate(Calendar.SOLAR_HIJRI, *solar_hijri_of(day)))
    return applicant_date(EnteredDate(Calendar.GREGORIAN, day.year, day.month, day.day))


def applicant_deadline(due: datetime) -> Markup:
    """ "Please answer by …": the last day of a deadline (the UTC day it ends on), in the
    language's own calendar and digits, isolated so it reads whole in right-to-left text."""
    day = Markup("<bdi>%s</bdi>") % applicant_day(due.astimezone(UTC).date())
    return escape(_("Please answer by %(date)s.")) % {"date": day}


def staff_date(value: str | None) -> str:
    """A stored date for staff: Gregorian, and the Solar Hijri original beside it."""
    entered = EnteredDate.from_text(value)
    if entered is None or entered.calendar is Calendar.GREGORIAN:
        return value or ""  # Gregorian ISO text, as precise as it was given
    if entered.precision == "day":
        gregorian = entered.earliest.isoformat()
    else:
        gregorian = f"{entered.earliest.isoformat()} – {entered.latest.isoformat()}"
    original = entered.to_text().removeprefix("SH:")
    if entered.precision == "year":
        return _s(
            "%(gregorian)s (%(original)s SH, year only)", gregorian=gregorian, original=original
        )
    if entered.precision == "month":
        return _s(
            "%(gregorian)s (%(original)s SH, month only)", gregorian=gregorian, original=original
        )
    return _s("%(gregorian)s (%(original)s SH)", gregorian=gregorian, original=original)
