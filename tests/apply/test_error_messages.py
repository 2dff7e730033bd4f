"""Errors that say which question is wrong and what to do, in the page's language and
digits, WTForms' own messages included (it has no Pashto catalogue)."""

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from portal.core.forms import BuiltinMessages
from tests.apply.journey import Applicant
from tests.apply.test_languages import _translated

CHOOSE = "Please choose one of the options given."


def _summary(html: str) -> list[str]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box, html
    return re.findall(r"<li>(.*?)</li>", box.group(0), re.S)


def _applicant_in(client: FlaskClient, language: str, programme: str = "local_staff") -> Applicant:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    applicant = Applicant(client)
    applicant.start(programme)
    return applicant


def test_the_error_summary_names_each_question_and_links_to_it(applicant: Applicant) -> None:
    response = applicant.post("/application/birth", {"birth_year": "1987", "nationality": "AF"})
    assert response.status_code == 400
    assert _summary(response.get_data(as_text=True)) == [
        '<a href="#place_of_birth">Place of birth: Please answer this question.</a>',
        '<a href="#marital_status">Marital status: Please answer this question.</a>',
    ]


def test_declarations_are_named_by_a_few_words_in_the_summary(applicant: Applicant) -> None:
    response = applicant.post("/application/declarations", {})
    assert _summary(response.get_data(as_text=True)) == [
        '<a href="#truthful">Your answers are true and complete: '
        "Please confirm this to continue.</a>",
        '<a href="#consent">Consent to the processing of your data: '
        "Please confirm this to continue.</a>",
    ]


def test_a_question_in_the_summary_loses_its_question_mark(client: FlaskClient) -> None:
    applicant = Applicant(client)
    response = applicant.post(
        "/eligibility", {"programme": "local_staff", "outside_germany": "yes"}
    )
    assert _summary(response.get_data(as_text=True)) == [
        '<a href="#basis">Did you work for a German institution, or are you at risk because'
        " of who you are or what you do: Please answer this question.</a>"
    ]


def test_a_tampered_risk_choice_is_refused_in_dari(client: FlaskClient) -> None:
    applicant = _applicant_in(client, "fa-AF", "at_risk")
    response = applicant.post(
        "/application/risk",
        {"risk_profile": ["journalist", "<b>spy</b>"], "threat_description": "تهدید"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _translated("fa_AF", CHOOSE) in html
    assert "not a valid choice" not in html
    assert "spy" not in html  # what was sent instead of a choice is not repeated back
    [entry] = _summary(html)
    assert _translated("fa_AF", "Why you are at risk") in entry


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/application/birth", {"birth_year": "1987", "nationality": "XX"}),
        ("/application/employment/new", {"employer": "nasa", "started_year": "2010"}),
        ("/application/employment/new", {"employer": "giz", "started_year": "۲۰۱۰x"}),
    ],
)
def test_wtforms_own_messages_come_out_in_pashto(
    client: FlaskClient, path: str, data: dict
) -> None:
    applicant = _applicant_in(client, "ps")
    html = applicant.post(path, data).get_data(as_text=True)
    assert 'lang="ps"' in html
    assert "Not a valid" not in html and "This field is required" not in html
    expected = [
        _translated("ps", CHOOSE),
        _translated("ps", "Please write a number, using digits only."),
    ]
    assert any(message in html for message in expected)


@pytest.mark.parametrize("language", ["ps", "fa_AF", "de"])
def test_no_wtforms_message_is_left_in_english(app: Flask, language: str) -> None:
    import wtforms

    catalogue = wtforms.__file__.replace("__init__.py", "locale/wtforms.pot")
    with open(catalogue, "rb") as handle:
        english = [message.id for message in read_po(handle) if message.id]
    translations = BuiltinMessages()
    with app.test_request_context(headers={"Accept-Language": language}):
        for text in english:
            singular = text[0] if isinstance(text, tuple) else text
            said = translations.gettext(singular)
            assert said != singular and said.strip(), singular
            assert said == translations.ngettext(singular, singular, 2)


def test_employment_years_are_said_in_persian_digits(client: FlaskClient) -> None:
    applicant = _applicant_in(client, "fa-AF")
    job = {"employer": "giz", "place": "کابل", "role": "راننده", "started_year": "12"}
    job["calendar"] = "gregorian"  # Dari pages ask for a Solar Hijri year by default
    html = applicant.post("/application/employment/new", job).get_data(as_text=True)
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    year = str(date.today().year).translate(persian)
    expected = _translated("fa_AF", "Please give a year from %(min)s to %(max)s.") % {
        "min": "۱۹۸۰",
        "max": year,
    }
    assert expected in html
    month = applicant.post(
        "/application/employment/new", job | {"started_year": "2010", "started_month": "13"}
    )
    error = re.search(r'id="started_month-error">(.*?)</p>', month.get_data(as_text=True))
    assert error and "۱۲" in error.group(1) and not re.search("[0-9]", error.group(1))


def test_a_length_limit_is_said_in_the_pages_digits(client: FlaskClient) -> None:
    applicant = _applicant_in(client, "ps")
    response = applicant.post(
        "/application/stay", {"country_of_stay": "AF", "place_of_stay": "ک" * 121}
    )
    expected = _translated("ps", "Please shorten this answer. Characters allowed: %(max)s.") % {
        "max": "۱۲۰"
    }
    assert expected in response.get_data(as_text=True)
