"""Every rule of the applicant's forms: a clear message beside the field, a 400, nothing lost."""

from datetime import date

import pytest

from portal.apply import forms
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
        ({"family_name": "\u202eاحمدزی"}, "Please remove the invisible direction characters."),
        ({"family_name": ""}, "Please answer this question."),
        ({"given_names": "x" * 101}, "Field cannot be longer than 100 characters."),
    ],
)
def test_names(applicant: Applicant, changes: dict, message: str) -> None:
    html = _refused(applicant, "/application/names", NAMES | changes, message)
    assert 'value="Ahmadzai"' in html  # what was typed is still there


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_year": ""}, "Please give at least the year of birth."),
        ({"birth_year": "1850"}, "Please give a year between 1900 and this year."),
        ({"birth_month": "13"}, "The month must be a number from 1 to 12."),
        ({"birth_day": "5"}, "Please give the month too, or leave the day empty."),
        ({"birth_month": "2", "birth_day": "30"}, "This day does not exist in that month."),
        ({"nationality": "XX"}, "Not a valid choice"),
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
        ({"identity_document": "driving_licence"}, "Not a valid choice"),
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
        ({"started_year": "12"}, f"Number must be between 1980 and {date.today().year}."),
        ({"started_month": "13"}, "Number must be between 1 and 12."),
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
    _refused(
        applicant,
        "/application/employment/new",
        JOB | {"ended_year": "2032"},
        "Number must be between 1980 and 2031.",
    )
    job = JOB | {"started_year": "2030", "ended_year": "2031"}
    assert applicant.post("/application/employment/new", job).status_code == 302
    assert applicant.post("/application/birth", BIRTH | {"birth_year": "2031"}).status_code == 302
    _refused(
        applicant,
        "/application/birth",
        BIRTH | {"birth_year": "2032"},
        "Please give a year between 1900 and this year.",
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
        ({"birth_year": "۱۳۶۶", "birth_month": "۱", "birth_day": "۱"}, "1987-03-21"),
        ({"birth_year": "1366"}, "1987"),
        ({"birth_year": "1987", "birth_month": "3"}, "1987-03"),
    ],
)
def test_solar_hijri_birth_dates_are_stored_as_gregorian(
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

    assert applicant.post("/application/birth", BIRTH | typed).status_code == 302
    with make_app().app_context():
        case = db.session.scalars(select(Case)).one()
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        assert case.principal.birth_date == stored
