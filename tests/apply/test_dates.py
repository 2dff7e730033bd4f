"""Dates in the applicant's calendar: asked, kept as entered, shown back as entered.

A Dari or Pashto speaker chooses Solar Hijri or Gregorian (Solar Hijri first), types the
digits their keyboard gives, and sees the date again, on the check page and in the form,
in that calendar and their language's digits (portal.core.dates, portal.core.date_display).
"""

import html as html_module
import re
from datetime import date, timedelta

import pytest

from portal.core.dates import solar_hijri_of
from tests.apply.journey import Applicant

BIRTH = {"place_of_birth": "Mazar", "nationality": "AF", "marital_status": "single"}
JOB = {"employer": "giz", "place": "Kabul", "role": "Driver"}
LATIN_DIGITS = re.compile(r"[0-9]")


def _speaking(applicant: Applicant, language: str) -> Applicant:
    applicant.post("/language", {"language": language}, from_page="/")
    return applicant


def _stored(make_app, read) -> object:  # type: ignore[no-untyped-def]
    """``read(case)`` on the one case, decrypted."""
    from sqlalchemy import select

    from portal.cases.custody import open_with_intake_key
    from portal.cases.models import Case
    from portal.cases.states import ActorKind
    from portal.extensions import db

    with make_app().app_context():
        case = db.session.scalars(select(Case)).one()
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        return read(case)


def _input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html_module.unescape(value.group(1)) if value else ""


def _checked(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    found = found or re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', page)
    assert found, f"no {name} chosen"
    return found.group(1)


def _date_row(page: str) -> str:
    """The text of the check page's date-of-birth answer."""
    found = re.search(r"<dt>[^<]*</dt><dd><bdi>([^<]*)</bdi></dd><dd><a href=\"[^\"]*birth", page)
    assert found, "no date of birth on the check page"
    return html_module.unescape(found.group(1))


@pytest.mark.parametrize(
    ("language", "typed", "stored", "shown"),
    [
        # A year alone, in Dari's digits: kept as 1364, never moved to 1985.
        ("fa_AF", {"birth_year": "۱۳۶۴"}, "SH:1364", "۱۳۶۴ (هجری شمسی)"),
        # Latin digits are read too, and shown back in the language's digits.
        ("fa_AF", {"birth_year": "1364", "birth_month": "7"}, "SH:1364-07", "۱۳۶۴/۰۷ (هجری شمسی)"),
        # 30 Esfand exists only in leap years: 1399 and 1403 are leap years.
        (
            "fa_AF",
            {"birth_year": "۱۳۹۹", "birth_month": "۱۲", "birth_day": "۳۰"},
            "SH:1399-12-30",
            "۱۳۹۹/۱۲/۳۰ (هجری شمسی)",
        ),
        (
            "ps",
            {"birth_year": "۱۴۰۳", "birth_month": "۱۲", "birth_day": "۳۰"},
            "SH:1403-12-30",
            "۱۴۰۳/۱۲/۳۰ (لمریز هجري)",
        ),
        (
            "ps",
            {
                "birth_calendar": "gregorian",
                "birth_year": "۲۰۰۰",
                "birth_month": "۲",
                "birth_day": "۲۹",
            },
            "2000-02-29",
            "۲۰۰۰/۰۲/۲۹ (میلادي)",
        ),
        (
            "fa_AF",
            {"birth_calendar": "gregorian", "birth_year": "1987", "birth_month": "3"},
            "1987-03",
            "۱۹۸۷/۰۳ (میلادی)",
        ),
        (
            "en",
            {"birth_year": "1987", "birth_month": "3", "birth_day": "21"},
            "1987-03-21",
            "Mar 21, 1987",
        ),
        ("de", {"birth_year": "1987", "birth_month": "3"}, "1987-03", "März 1987"),
    ],
)
def test_a_birth_date_is_kept_and_shown_back_as_entered(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
    language: str,
    typed: dict,
    stored: str,
    shown: str,
) -> None:
    _speaking(applicant, language)
    assert applicant.post("/application/birth", BIRTH | typed).status_code == 302
    assert _stored(make_app, lambda case: case.principal.birth_date) == stored

    assert _date_row(applicant.get("/application/check").get_data(as_text=True)) == shown

    form = applicant.get("/application/birth").get_data(as_text=True)
    chosen = typed.get("birth_calendar", "solar_hijri" if language in {"fa_AF", "ps"} else None)
    if chosen:  # the calendar as chosen, the parts as given, in the language's digits
        assert _checked(form, "birth_calendar") == chosen
    for part in ("birth_year", "birth_month", "birth_day"):
        value = _input_value(form, part)
        assert int(value or 0) == int(typed.get(part, "0"))
        if language in {"fa_AF", "ps"}:
            assert not LATIN_DIGITS.search(value)


def test_the_calendar_question_is_asked_only_where_two_calendars_are_in_use(
    applicant: Applicant,
) -> None:
    english = applicant.get("/application/birth").get_data(as_text=True)
    assert 'type="radio"' not in english.split('id="birth"')[1].split("</fieldset>")[0]
    assert '<input type="hidden" name="birth_calendar" value="gregorian">' in english
    dari = _speaking(applicant, "fa_AF").get("/application/birth").get_data(as_text=True)
    assert _checked(dari, "birth_calendar") == "solar_hijri"  # the default, not a guess
    assert 'value="gregorian"' in dari and "<legend>تقویم</legend>" in dari


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        # The chosen calendar and the year disagree: said so, nothing guessed or moved.
        (
            {"birth_calendar": "gregorian", "birth_year": "۱۳۶۴"},
            "۱۳۶۴ به نظر سال هجری شمسی است، اما تقویم میلادی انتخاب شده است.",
        ),
        (
            {"birth_calendar": "solar_hijri", "birth_year": "1985"},
            "۱۹۸۵ به نظر سال میلادی است، اما تقویم هجری شمسی انتخاب شده است.",
        ),
        # 1400 is a common year: Esfand has 29 days.
        (
            {"birth_year": "۱۴۰۰", "birth_month": "۱۲", "birth_day": "۳۰"},
            "این روز در آن ماه وجود ندارد",
        ),
        (
            {"birth_calendar": "julian", "birth_year": "۱۳۶۴"},
            "لطفاً تقویم این تاریخ را انتخاب کنید.",
        ),
        ({"birth_year": "۱۳۶x"}, "لطفاً یک عدد بنویسید، فقط با رقم‌ها."),
        # Solar Hijri 1278 began in March 1899: the range is said in the chosen calendar.
        ({"birth_year": "۱۲۷۸"}, "لطفاً سالی از ۱۲۷۹ تا"),
    ],
)
def test_a_date_that_does_not_fit_its_calendar_is_refused_in_the_applicants_language(
    applicant: Applicant,
    make_app,
    typed: dict,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    _speaking(applicant, "fa_AF")
    response = applicant.post("/application/birth", BIRTH | typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert _input_value(page, "birth_year") == typed["birth_year"]  # nothing typed is lost
    assert _stored(make_app, lambda case: case.principal) is None


def test_the_old_gregorian_form_of_a_date_still_reads(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    """Dates saved before the calendar was kept are Gregorian ISO text: shown as Gregorian."""
    _speaking(applicant, "fa_AF")
    data = BIRTH | {
        "birth_calendar": "gregorian",
        "birth_year": "1987",
        "birth_month": "3",
        "birth_day": "21",
    }
    applicant.post("/application/birth", data)
    form = applicant.get("/application/birth").get_data(as_text=True)
    assert _checked(form, "birth_calendar") == "gregorian"
    assert _input_value(form, "birth_year") == "۱۹۸۷"


def _job_row(page: str) -> str:
    found = re.search(r"<dd><bdi>(<bdi[^>]*>Driver</bdi>.*?)</bdi></dd><dd>", page)
    assert found, "no job on the check page"
    return found.group(1).removesuffix("</bdi>")  # the isolate of the last value


def test_employment_in_solar_hijri_is_kept_and_shown_as_an_ordered_range(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    _speaking(applicant, "fa_AF")
    job = JOB | {
        "calendar": "solar_hijri",
        "started_year": "۱۳۹۱",
        "started_month": "۱",
        "ended_year": "1400",
        "ended_month": "6",
    }
    assert applicant.post("/application/employment/new", job).status_code == 302
    stored = _stored(make_app, lambda case: [(j.started_on, j.ended_on) for j in case.employments])
    assert stored == [("SH:1391-01", "SH:1400-06")]

    # "from … to …" in words, each date isolated: the start is read first in Dari too.
    expected = "از <bdi>۱۳۹۱/۰۱ (هجری شمسی)</bdi> تا <bdi>۱۴۰۰/۰۶ (هجری شمسی)</bdi>"
    assert _job_row(applicant.get("/application/check").get_data(as_text=True)).endswith(expected)
    assert expected in applicant.get("/application/employment").get_data(as_text=True)

    listed = applicant.get("/application/employment").get_data(as_text=True)
    edit = re.search(r'href="(/application/employment/[^"]+)"', listed)
    assert edit
    form = applicant.get(edit.group(1)).get_data(as_text=True)
    assert _checked(form, "calendar") == "solar_hijri"
    assert [_input_value(form, name) for name in ("started_year", "started_month")] == ["۱۳۹۱", "۱"]
    assert [_input_value(form, name) for name in ("ended_year", "ended_month")] == ["۱۴۰۰", "۶"]


def test_an_ongoing_job_reads_from_its_start_until_now(applicant: Applicant) -> None:
    job = JOB | {"calendar": "gregorian", "started_year": "2012", "started_month": "3"}
    assert applicant.post("/application/employment/new", job).status_code == 302
    row = _job_row(applicant.get("/application/check").get_data(as_text=True))
    assert row.endswith("from <bdi>March 2012</bdi> until now")


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        # Employment years are counted in the chosen calendar: 1980 began in 1358.
        ({"started_year": "۱۳۵۰"}, "1358"),
        ({"started_year": "۱۳۹۵", "ended_year": "۱۳۹۰"}, "تاریخ پایان باید بعد از تاریخ آغاز باشد"),
        ({"started_year": "2012"}, "۲۰۱۲ به نظر سال میلادی است"),
    ],
)
def test_employment_years_are_checked_in_the_chosen_calendar(
    applicant: Applicant, dates: dict, message: str
) -> None:
    _speaking(applicant, "fa_AF")
    response = applicant.post("/application/employment/new", JOB | dates)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page or message.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in page


def test_a_solar_hijri_job_across_new_year_is_not_refused_as_ending_before_it_starts(
    applicant: Applicant,
) -> None:
    _speaking(applicant, "fa_AF")
    job = JOB | {
        "started_year": "۱۳۹۰",
        "started_month": "۱۱",
        "ended_year": "۱۳۹۰",
        "ended_month": "۱۲",
    }
    assert applicant.post("/application/employment/new", job).status_code == 302


def _inline_error(page: str, field: str) -> str:
    """The message shown beside the date, under the field's own id."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert found, f"no message beside the date for {field}"
    return html_module.unescape(found.group(1))


def _persian_digits(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def test_a_birth_date_later_than_today_is_refused_beside_the_part_that_makes_it_so(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    """Only the year used to be compared: a day later this year, and a Solar Hijri date
    whose year is this one but whose day is in the next Gregorian year, were saved or
    refused with a range that contains the year typed."""
    _speaking(applicant, "fa_AF")
    tomorrow = date.today() + timedelta(days=1)
    year, month, day = solar_hijri_of(tomorrow)
    in_ten_weeks = solar_hijri_of(date.today() + timedelta(weeks=10))
    future = "تاریخ تولد نمی‌تواند در آینده باشد."
    for typed, part in [
        ({"birth_year": str(year), "birth_month": str(month), "birth_day": str(day)}, "birth_day"),
        ({"birth_year": str(in_ten_weeks[0]), "birth_month": str(in_ten_weeks[1])}, "birth_month"),
        (
            {
                "birth_calendar": "gregorian",
                "birth_year": str(tomorrow.year),
                "birth_month": str(tomorrow.month),
                "birth_day": str(tomorrow.day),
            },
            "birth_day",
        ),
    ]:
        response = applicant.post("/application/birth", BIRTH | typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, typed
        assert _inline_error(page, part) == future
        assert 'class="field date invalid"' in page
        assert _input_value(page, "birth_year") == typed["birth_year"]
    assert _stored(make_app, lambda case: case.principal) is None

    next_year = {"birth_year": _persian_digits(solar_hijri_of(date.today())[0] + 1)}
    page = applicant.post("/application/birth", BIRTH | next_year).get_data(as_text=True)
    this_year = _persian_digits(solar_hijri_of(date.today())[0])
    assert _inline_error(page, "birth_year") == f"لطفاً سالی از ۱۲۷۹ تا {this_year} بنویسید."

    today = solar_hijri_of(date.today())
    this_month = {"birth_year": str(today[0]), "birth_month": str(today[1])}
    assert applicant.post("/application/birth", BIRTH | this_month).status_code == 302


def test_a_month_that_does_not_exist_is_said_beside_the_date(applicant: Applicant) -> None:
    _speaking(applicant, "fa_AF")
    response = applicant.post(
        "/application/birth", BIRTH | {"birth_year": "۱۳۶۴", "birth_month": "۱۳"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _inline_error(page, "birth_month").startswith("ماه باید")
    assert 'class="field date invalid"' in page
