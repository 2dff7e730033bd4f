"""Every rule of the applicant's forms: a clear message beside the field, a 400, nothing lost."""

import re
from datetime import date

import pytest
from markupsafe import escape

from portal.apply import forms
from portal.apply.views import family as family_views
from tests.apply.journey import Applicant

NAMES = {
    "given_names": "زرمینه",
    "family_name": "احمدزی",
    "given_names_latin": "Zarmina",
    "family_name_latin": "Ahmadzai",
}
BIRTH = {
    "birth_year": "1987",
    "place_of_birth": "Mazar",
    "nationality": "AF",
    "marital_status": "single",
}


def _refused(applicant: Applicant, path: str, data: dict, message: str) -> str:
    response = applicant.post(path, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert message in html
    assert 'class="error-summary"' in html
    return html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_names_latin": "زرمینه"}, "Please write this in Latin letters"),
        ({"family_name": "\u202eاحمدزی"}, "There were invisible characters in this text."),
        ({"given_names": ""}, "Please answer this question."),
        ({"given_names_latin": ""}, "Please also write the name or given names in Latin letters."),
        ({"given_names": "x" * 101}, "Please shorten this answer. Characters allowed: 100."),
    ],
)
def test_names(applicant: Applicant, changes: dict, message: str) -> None:
    html = _refused(applicant, "/application/names", NAMES | changes, message)
    assert 'value="Ahmadzai"' in html  # what was typed is still there


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_year": ""}, "Please give at least the year of birth."),
        ({"birth_year": "1850"}, f"Please give a year from 1900 to {date.today().year}."),
        ({"birth_month": "13"}, "The month must be a number from 1 to 12."),
        ({"birth_day": "5"}, "Please give the month too, or leave the day empty."),
        ({"birth_month": "2", "birth_day": "30"}, "This day does not exist in that month."),
        ({"nationality": "XX"}, "Please choose one of the options given."),
        ({"marital_status": ""}, "Please answer this question."),
    ],
)
def test_birth(applicant: Applicant, changes: dict, message: str) -> None:
    _refused(applicant, "/application/birth", BIRTH | changes, message)


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_year": "۱۹۸۷", "birth_month": "۳", "birth_day": "۲۱"},  # Persian digits
        {"birth_year": "", "birth_unknown": "y"},  # unknown date
        {"birth_year": "1987"},  # only the year
    ],
)
def test_birth_dates_that_are_accepted(applicant: Applicant, changes: dict) -> None:
    response = applicant.post("/application/birth", BIRTH | changes)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"identity_document": "passport"}, "Please give the document number."),
        (
            {"identity_document": "passport", "document_number": "P01<script>"},
            "Please use only letters",
        ),
        ({"identity_document": "none"}, "Without a document, please make the declaration above."),
        ({"identity_document": "none", "sworn_declaration": "y"}, "Please type your full name"),
        ({"identity_document": "driving_licence"}, "Please choose one of the options given."),
    ],
)
def test_identity(applicant: Applicant, data: dict, message: str) -> None:
    _refused(applicant, "/application/identity", data, message)


def test_a_sworn_declaration_marks_the_identity_to_be_clarified(applicant: Applicant) -> None:
    applicant.post("/application/names", NAMES)
    response = applicant.post(
        "/application/identity",
        {
            "identity_document": "none",
            "sworn_declaration": "y",
            "declaration_signature": "Zarmina Ahmadzai",
        },
    )
    assert response.status_code == 302
    tasks = applicant.get("/application").get_data(as_text=True)
    assert 'Identity</a> <strong class="tag completed">' in tasks


JOB = {"employer": "giz", "place": "Kabul", "started_year": "2012", "role": "Driver"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"employer": "other"}, "Please name the employer."),
        ({"ended_year": "2010"}, "The end must be after the start."),
        ({"started_year": "12"}, f"Please give a year from 1980 to {date.today().year}."),
        ({"started_month": "13"}, "Please give a number from 1 to 12."),
        ({"role": ""}, "Please answer this question."),
    ],
)
def test_employment(applicant: Applicant, changes: dict, message: str) -> None:
    _refused(applicant, "/application/employment/new", JOB | changes, message)


class _In2031(date):
    @classmethod
    def today(cls) -> "_In2031":
        return cls(2031, 3, 1)


def test_years_run_up_to_the_year_of_the_day_the_form_is_sent(
    applicant: Applicant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forms, "date", _In2031)
    monkeypatch.setattr(family_views, "date", _In2031)  # its warnings ask the same calendar
    _refused(
        applicant,
        "/application/employment/new",
        JOB | {"ended_year": "2032"},
        "Please give a year from 1980 to 2031.",
    )
    job = JOB | {"started_year": "2030", "ended_year": "2031"}
    assert applicant.post("/application/employment/new", job).status_code == 302
    assert applicant.post("/application/birth", BIRTH | {"birth_year": "2031"}).status_code == 302
    _refused(
        applicant,
        "/application/birth",
        BIRTH | {"birth_year": "2032"},
        "Please give a year from 1900 to 2031.",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "call me"}, "This does not look like a phone number."),
        ({"email": "zarmina.at.example"}, "This does not look like an e-mail address."),
    ],
)
def test_contact(applicant: Applicant, data: dict, message: str) -> None:
    _refused(applicant, "/application/contact", data, message)


def test_a_phone_number_in_persian_digits_is_accepted(applicant: Applicant) -> None:
    assert applicant.post("/application/contact", {"phone": "۰۷۰۰ ۱۲۳ ۴۵۶"}).status_code == 302


def test_declarations_must_both_be_confirmed(applicant: Applicant) -> None:
    _refused(
        applicant,
        "/application/declarations",
        {"truthful": "y"},
        "Please confirm this to continue.",
    )


def test_risk_needs_a_reason_and_a_description(client) -> None:  # type: ignore[no-untyped-def]
    applicant = Applicant(client)
    applicant.start("at_risk")
    _refused(
        applicant, "/application/risk", {"threat_description": "..."}, "Please choose at least one."
    )
    _refused(
        applicant,
        "/application/risk",
        {"risk_profile": ["journalist"]},
        "Please answer this question.",
    )
    assert (
        applicant.post(
            "/application/risk",
            {"risk_profile": ["journalist", "lgbtqi"], "threat_description": "Threats"},
        ).status_code
        == 302
    )


def test_family_member_needs_a_document_number_unless_none(applicant: Applicant) -> None:
    member = NAMES | {
        "relation": "child",
        "birth_year": "2015",
        "marital_status": "single",
        "lives_with_principal": "yes",
        "identity_document": "e_tazkira",
    }
    _refused(applicant, "/application/family/new", member, "Please give the document number.")
    member["identity_document"] = "none"
    assert applicant.post("/application/family/new", member).status_code == 302


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # Kept as entered, in the calendar chosen (see tests/apply/test_dates.py).
        ({"birth_calendar": "solar_hijri", "birth_year": "۱۳۶۶", "birth_month": "۱"}, "SH:1366-01"),
        ({"birth_calendar": "gregorian", "birth_year": "1987", "birth_month": "3"}, "1987-03"),
        ({"birth_calendar": "gregorian", "birth_year": "۱۹۸۷"}, "1987"),
    ],
)
def test_birth_dates_are_stored_as_entered(
    applicant: Applicant,
    make_app,
    typed: dict,
    stored: str,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from portal.cases.custody import open_with_intake_key
    from portal.cases.models import Case
    from portal.cases.states import ActorKind
    from portal.extensions import db

    applicant.post("/language", {"language": "fa_AF"}, from_page="/")
    assert applicant.post("/application/birth", BIRTH | typed).status_code == 302
    with make_app().app_context():
        case = db.session.scalars(select(Case)).one()
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        assert case.principal.birth_date == stored


HIDDEN = (
    "There were invisible characters in this text. We have removed them. "
    "Please check the text and send it again."
)
ZWNJ = "\u200c"  # the Persian half space: a letter of the writing, never refused
CONTROLS = ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\u200b", "\ufeff", "\u2028"]


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
def test_control_characters_in_names_are_refused(applicant: Applicant, control: str) -> None:
    changes = {"given_names": f"زر{control}مینه"}
    html = _refused(applicant, "/application/names", NAMES | changes, HIDDEN)
    assert control not in html  # never echoed back into the page either
    assert 'value="زرمینه"' in html  # but the rest is, to be checked and sent again
    assert applicant.post("/application/names", NAMES).status_code == 302


MEMBER = NAMES | {
    "relation": "child",
    "birth_year": "2015",
    "marital_status": "single",
    "lives_with_principal": "yes",
    "identity_document": "none",
}


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/application/family/new", MEMBER | {"family_name": "احمد\x00زی"}),
        ("/application/family/new", MEMBER | {"family_name_latin": "Ahmad\x1bzai"}),
        ("/application/birth", BIRTH | {"place_of_birth": "Mazar\x00"}),
        ("/application/stay", {"country_of_stay": "AF", "place_of_stay": "Kabul\x08"}),
        ("/application/contact", {"email": "zarmina\x00@example.org"}),
        ("/application/contact", {"messenger": "@zarmina\x00"}),
        ("/application/employment/new", JOB | {"role": "Driver\x00"}),
        ("/application/employment/new", JOB | {"staff_number": "4711\x00"}),
        ("/application/employment/new", JOB | {"supervisor": "Major M\x1b[8m"}),
        (
            "/application/identity",
            {
                "identity_document": "none",
                "sworn_declaration": "y",
                "declaration_signature": "Zarmina\x00",
            },
        ),
    ],
)
def test_control_characters_are_refused_in_every_field_kept(
    applicant: Applicant, path: str, data: dict
) -> None:
    _refused(applicant, path, data, HIDDEN)


def test_a_threat_description_keeps_its_lines_but_not_control_characters(client) -> None:  # type: ignore[no-untyped-def]
    applicant = Applicant(client)
    applicant.start("at_risk")
    answers = {"risk_profile": ["journalist"]}
    typed = "They came twice.\r\nA letter:\tat the gate\x00"
    html = _refused(applicant, "/application/risk", answers | {"threat_description": typed}, HIDDEN)
    assert escape(typed.replace("\x00", "")) in html  # what was typed, without the NUL
    letter = f"They came twice.\r\nA letter:\tat the gate, we{ZWNJ}re told."
    response = applicant.post("/application/risk", answers | {"threat_description": letter})
    assert response.status_code == 302


def test_persian_half_spaces_and_joiners_are_kept_in_names(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from portal.cases.custody import open_with_intake_key
    from portal.cases.models import Case
    from portal.cases.states import ActorKind
    from portal.extensions import db

    given = f"محمد{ZWNJ}علی"
    response = applicant.post("/application/names", NAMES | {"given_names": given})
    assert response.status_code == 302
    with make_app().app_context():
        case = db.session.scalars(select(Case)).one()
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        assert case.principal.given_names == given


def test_the_refusal_is_in_the_applicants_language(client) -> None:  # type: ignore[no-untyped-def]
    from tests.apply.test_languages import _translated

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    applicant = Applicant(client)
    applicant.start()
    html = _refused(
        applicant,
        "/application/names",
        NAMES | {"family_name": "احمد\x00زی"},
        _translated("fa_AF", HIDDEN),
    )
    assert '<html lang="fa-AF" dir="rtl">' in html


# Answers that can be true but are most likely a slip: warned about, saved once confirmed.

THIS_YEAR = date.today().year
CHECK = "Please check your answers"


def _member(relation: str, year: int | str) -> dict:
    return NAMES | {
        "relation": relation,
        "birth_calendar": "gregorian",  # Solar Hijri is Dari's default
        "birth_year": str(year),
        "marital_status": "married" if relation == "spouse" else "single",
        "lives_with_principal": "yes",
        "identity_document": "none",
    }


def _people(make_app) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from portal.cases.models import Person
    from portal.extensions import db

    with make_app().app_context():
        return int(db.session.scalar(select(func.count()).select_from(Person)) or 0)


def _warned_then_confirmed(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
    path: str,
    data: dict,
    warning: str,
    check: str = CHECK,
) -> str:
    """Send ``data``: warned, nothing saved; then confirmed, saved. The warning page."""
    before = _people(make_app)
    warned = applicant.post(path, data)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and escape(check) in html and escape(warning) in html
    assert 'name="confirmed"' in html and 'name="confirmed" type="checkbox" value="y">' in html
    assert _people(make_app) == before  # nothing saved before the person confirms
    assert 'value="Ahmadzai"' in html  # and nothing typed is lost
    confirmed = applicant.post(path, data | {"confirmed": "y"})
    assert confirmed.status_code == 302
    return html


@pytest.mark.parametrize(
    ("relation", "year", "warning"),
    [
        ("child", 1980, "By these dates of birth, this child is older than you."),
        (
            "child",
            1995,
            "By these dates of birth, you were younger than 12 when this child was born.",
        ),
        ("parent", 1990, "By these dates of birth, this parent is younger than you."),
        (
            "parent",
            1980,
            "By these dates of birth, this parent was younger than 12 when you were born.",
        ),
        ("spouse", THIS_YEAR - 11, "By this date of birth, this person is younger than 16."),
    ],
)
def test_an_unlikely_family_member_is_warned_about_and_saved_once_confirmed(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
    relation: str,
    year: int,
    warning: str,
) -> None:
    applicant.fill_principal()  # born in 1987
    path = "/application/family/new"
    _warned_then_confirmed(applicant, make_app, path, _member(relation, year), warning)
    assert _people(make_app) == 2


@pytest.mark.parametrize(
    ("relation", "year"),
    [("child", 2012), ("parent", 1960), ("spouse", THIS_YEAR - 17), ("sibling", 1950)],
)
def test_a_likely_family_member_is_saved_without_a_warning(
    applicant: Applicant, relation: str, year: int
) -> None:
    applicant.fill_principal()
    assert applicant.post("/application/family/new", _member(relation, year)).status_code == 302


def test_a_child_is_not_warned_about_before_the_applicants_own_birth_is_known(
    applicant: Applicant,
) -> None:
    assert applicant.post("/application/family/new", _member("child", 1950)).status_code == 302


def test_changing_a_family_member_is_warned_about_too(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    applicant.fill_principal()
    assert applicant.post("/application/family/new", _member("child", 2012)).status_code == 302
    family = applicant.get("/application/family").get_data(as_text=True)
    path = re.search(r'href="(/application/family/[0-9a-f-]{36})"', family)
    assert path
    warning = "By these dates of birth, this child is older than you."
    _warned_then_confirmed(applicant, make_app, path[1], _member("child", 1960), warning)


def test_work_that_starts_in_the_future_is_warned_about(
    applicant: Applicant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Years run up to this one (a later year is refused outright): a later month of it.
    monkeypatch.setattr(forms, "date", _In2031)
    monkeypatch.setattr(family_views, "date", _In2031)
    job = JOB | {"started_year": "2031", "started_month": "6"}
    warned = applicant.post("/application/employment/new", job)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "The start date you gave is in the future." in html
    assert "Driver" not in applicant.get("/application/employment").get_data(as_text=True)
    confirmed = applicant.post("/application/employment/new", job | {"confirmed": "y"})
    assert confirmed.status_code == 302
    assert "Driver" in applicant.get("/application/employment").get_data(as_text=True)


def test_a_warning_in_dari_reads_right_to_left_and_can_be_confirmed(
    client,  # type: ignore[no-untyped-def]
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    from tests.apply.test_languages import _translated

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    applicant = Applicant(client)
    applicant.start()
    applicant.fill_principal()
    warning = _translated(
        "fa_AF", "By this date of birth, this person is younger than %(age)s.", number=16
    )
    assert warning and "%(age)s" in warning
    page = _warned_then_confirmed(
        applicant,
        make_app,
        "/application/family/new",
        _member("spouse", THIS_YEAR - 11),
        warning % {"age": 16},
        check=_translated("fa_AF", CHECK),
    )
    assert '<html lang="fa-AF" dir="rtl">' in page
    assert escape(_translated("fa_AF", "I have checked: these answers are correct.")) in page


def test_a_confirmed_unlikely_answer_still_reaches_staff_through_the_intake_checks(
    applicant: Applicant,
    make_app,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from portal.cases.models import Case, RiskAssessment
    from portal.extensions import db
    from portal.intake.tasks import process_case

    applicant.fill_principal()
    applicant.add_job()
    child = _member("child", 1980) | {"confirmed": "y"}
    assert applicant.post("/application/family/new", child).status_code == 302
    applicant.declare()
    assert applicant.submit().status_code == 302
    with make_app().app_context():
        process_case(str(db.session.scalars(select(Case.id)).one()))
        assessment = db.session.scalars(select(RiskAssessment)).one()
        assert "child_older_than_parent" in {reason["code"] for reason in assessment.reasons}
