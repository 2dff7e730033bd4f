"""Staff screens name every code of a case in German and in English: the case screen, the
queue and the reports show no enum or choice value as it is stored ("paper_tazkira",
"bundeswehr"), whichever codes a case holds; nor do the screening details a security officer
reads (a watch-list hit, the rubric's categories, the reasons staff gave)."""

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from portal.apply.services import add_document
from portal.apply.uploads import check_upload
from portal.cases.custody import blob_store
from portal.cases.labels import CHOICES, LABELS
from portal.cases.models import Case, Employment
from portal.cases.states import DocumentKind, IdentityDocument, Programme, Relationship
from portal.core.actors import Role
from portal.extensions import db
from tests.apply.journey import png
from tests.factories import make_case, put_watchlist_in_force
from tests.i18n.pseudo import visible_text
from tests.review.conftest import csrf, through_intake
from tests.review.test_case_screen import WATCHLIST

PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|%[a-z]")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
CODES = {str(member) for enum in LABELS for member in enum} | {
    code for names in CHOICES.values() for code in names
}
FAMILY = [
    (Relationship.SPOUSE, IdentityDocument.E_TAZKIRA, "married"),
    (Relationship.REGISTERED_PARTNER, IdentityDocument.NATIONAL_ID, "married"),
    (Relationship.CHILD, IdentityDocument.OTHER, "single"),
    (Relationship.PARENT, IdentityDocument.NONE, "widowed"),
    (Relationship.SIBLING, IdentityDocument.PASSPORT, "divorced"),
    (Relationship.OTHER, IdentityDocument.PAPER_TAZKIRA, "single"),
]


def _words_of_the_staff_language(code: str) -> set[str]:
    """Every word the staff catalogue uses in a language: a code that is also one of them
    ("high" in English) cannot be told from its name there, so it is looked for only in the
    other language (German says "hoch")."""
    with open(f"translations/{code}/LC_MESSAGES/staff.po", "rb") as handle:
        catalog = read_po(handle)
    texts = [
        PLACEHOLDER.sub(" ", form)
        for message in catalog
        if message.id
        for form in (message.string if isinstance(message.string, tuple) else [message.string])
    ]
    return set(re.findall(r"\w+", " ".join(texts)))


def raw_codes(html: str, language: str) -> list[tuple[str, str]]:
    """The codes a page shows as they are, with the element they are in."""
    allowed = _words_of_the_staff_language(language)
    found = []
    for where, text in visible_text(html):
        for word in re.findall(r"[\w-]+", text):
            if SNAKE_CASE.fullmatch(word) or (word in CODES and word not in allowed):
                found.append((where, word))
    return found


def _case_with_every_code(app: Flask, programme: Programme) -> Case:
    """A case through intake whose people, jobs and documents hold every code there is."""
    with app.app_context():
        case, _access_code = make_case(db.session, programme=programme, family=len(FAMILY))
        people = sorted(case.people, key=lambda person: person.position)
        people[0].identity_document = IdentityDocument.PAPER_TAZKIRA
        people[0].marital_status = "married"
        for person, (relation, document, marital_status) in zip(people[1:], FAMILY, strict=True):
            person.relation, person.identity_document = relation, document
            person.marital_status = marital_status
        if programme == Programme.AT_RISK:
            case.risk_profile = list(CHOICES["risk_profile"])
        else:
            for position, employer in enumerate([*CHOICES["employer"], "other:Deutsche Welle"]):
                job = Employment(case=case, position=position + 1)
                job.employer, job.place, job.role = employer, "Kabul", "Fahrer"
                job.started_on, job.ended_on = "2010-01", "2012-06"
                db.session.add(job)
        for kind in DocumentKind:
            clean = check_upload(io.BytesIO(png()), max_bytes=1_000_000)
            add_document(
                db.session, case, kind=kind, filename="scan.png", clean=clean, store=blob_store()
            )
        return through_intake(case)


@pytest.fixture
def staff_pages(
    staff_app: Flask, signed_in: Callable[..., FlaskClient]
) -> Callable[[str], dict[str, str]]:
    # The principal is on the watch list: a hit, with the details of the entry.
    with staff_app.app_context():
        put_watchlist_in_force(db.session, WATCHLIST)
        db.session.remove()
    # Two cases with the same principal: each is the other's possible duplicate.
    cases = [
        _case_with_every_code(staff_app, programme)
        for programme in (Programme.LOCAL_STAFF, Programme.AT_RISK)
    ]
    caseworker = signed_in("caseworker", Role.CASEWORKER)
    envoy = signed_in("envoy", Role.ENVOY)
    officer = signed_in("officer", Role.SECURITY_OFFICER)
    for case in cases:  # a reason a member of staff gave, kept in the details
        token = csrf(officer.get("/staff/").get_data(as_text=True))
        changed = officer.post(
            f"/staff/cases/{case.id}/threat",
            data={"level": "moderate", "reason": "Gespräch geführt.", "csrf_token": token},
        )
        assert changed.status_code == 302
        officer.get(changed.location)  # its confirmation, in the language it was made in

    def render(language: str) -> dict[str, str]:
        headers = {"Accept-Language": language}
        pages = {
            f"case ({case.programme})": caseworker.get(f"/staff/cases/{case.id}", headers=headers)
            for case in cases
        }
        for case in cases:
            pages[f"screening details ({case.programme})"] = officer.get(
                f"/staff/cases/{case.id}", headers=headers
            )
        pages["queue"] = caseworker.get("/staff/", headers=headers)
        pages["reports"] = envoy.get("/staff/reports/", headers=headers)
        for name, response in pages.items():
            assert response.status_code == 200, name
        return {name: response.get_data(as_text=True) for name, response in pages.items()}

    return render


@pytest.mark.parametrize("language", ["de", "en"])
def test_staff_screens_show_no_raw_codes(
    staff_pages: Callable[[str], dict[str, Any]], language: str
) -> None:
    pages = staff_pages(language)
    assert "Deutsche Welle" in pages["case (local_staff)"]  # an employer named by the applicant
    for programme in ("local_staff", "at_risk"):  # the details are on the page, in words
        assert "UN-2024-0777" in pages[f"screening details ({programme})"]
        assert "Gespräch geführt." in pages[f"screening details ({programme})"]
    found = {name: raw_codes(html, language) for name, html in pages.items()}
    assert {name: codes for name, codes in found.items() if codes} == {}


def test_the_check_finds_codes_a_language_does_not_use() -> None:
    page = "<p>Ausweis: paper_tazkira</p><p>Arbeitgeber: bundeswehr, Bedrohung: high</p>"
    assert raw_codes(page, "de") == [
        ("<p>", "paper_tazkira"),
        ("<p>", "bundeswehr"),
        ("<p>", "high"),
    ]
    assert raw_codes("<td>Threat: high</td>", "en") == []  # "high" is its English name


def test_every_choice_an_applicant_has_has_a_staff_name() -> None:
    from portal.apply import choices

    for vocabulary, applicant_choices in (
        ("employer", choices.EMPLOYERS),
        ("risk_profile", choices.RISK_PROFILES),
        ("marital_status", choices.MARITAL_STATUSES),
    ):
        assert set(CHOICES[vocabulary]) == {str(code) for code, _text in applicant_choices}


@pytest.mark.parametrize("domain", ["staff", "messages"])
def test_german_calls_an_application_a_vorgang_throughout(domain: str) -> None:
    """One word for one thing: an applicant's "Vorgangsnummer" is the caseworker's
    "Vorgang", never a "Fall" on one screen and a "Vorgang" on the next."""
    with open(f"translations/de/LC_MESSAGES/{domain}.po", "rb") as handle:
        catalog = read_po(handle)
    mixed = [
        form
        for message in catalog
        if message.id
        for form in (message.string if isinstance(message.string, tuple) else [message.string])
        if re.search(r"\bF[aä]ll(?:e|s|es|en)?\b", form)
    ]
    assert mixed == []
