"""Finding a case by what a caller reads out: a reference however typed, a name in any
script or spelling with its year of birth, a document number, a phone number. Only cases
the searcher may see are found, and each search is audited without its terms."""

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cases.models import Case
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.review.search import AUDIT_ACTION, parse_year, phone_candidates
from tests.factories import make_case
from tests.review.conftest import csrf, through_intake, update_case

FOUND = '<a href="/staff/cases/'
# A spouse named in Dari only (an applicant must spell only their own name in Latin
# letters): nothing in Latin letters for a Latin search to meet letter by letter.
DARI = {
    "given_names": "محمد یوسف",
    "family_name": "کریمی",
    "given_names_latin": None,
    "family_name_latin": None,
    "birth_date": "1985-04",
    "document_number": "1398-0417-22871",
}
CYRILLIC = {
    "given_names": "Мухаммад Юсуф",
    "family_name": "Рахими",
    "given_names_latin": None,
    "family_name_latin": None,
    "birth_date": "1979",
    "document_number": "RU-4401 118822",
}


def _case(app: Flask, *, phone: str = "+93 70 123 4567", **spouse: Any) -> Case:
    """A case through intake whose principal is the factory's Zarminagul Ahmadzai (1987,
    document P01Q7733XZ), and whose spouse has the names and papers in ``spouse``."""
    with app.app_context():
        case, _code = make_case(db.session, family=1)
        case.contact = {"phone": phone, "email": "hidden@example.org"}
        for name, value in spouse.items():
            setattr(case.people[1], name, value)
        return through_intake(case)


def _search(client: FlaskClient, terms: str, year: str = "") -> Any:
    token = csrf(client.get("/staff/search").get_data(as_text=True))
    return client.post("/staff/search", data={"terms": terms, "year": year, "csrf_token": token})


def _found(client: FlaskClient, terms: str, year: str = "") -> set[str]:
    response = _search(client, terms, year)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return {part.split('"')[0] for part in html.split(FOUND)[1:]}


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return found


def test_a_name_entered_in_dari_is_found_in_latin_and_cyrillic_spellings(
    staff_app: Flask, signed_in
) -> None:
    dari = _case(staff_app, **DARI)
    other = _case(staff_app)  # the factory's Zarminagul Ahmadzai
    client = signed_in("carla", Role.CASEWORKER)
    for spelling in (
        "Mohammad Yusuf Karimi",
        "Muhammad Yousuf Karimi",
        "KARIMI Mohammed Yousef",  # any order, any case
        "Мухаммад Юсуф Карими",
        "محمد يوسف كريمي",  # typed with Arabic yeh and kaf
    ):
        assert _found(client, spelling, "1985") == {str(dari.id)}, spelling
    # The year may end the name instead of standing in its own field, in Persian digits too.
    assert _found(client, "Mohammad Yusuf Karimi 1985") == {str(dari.id)}
    assert _found(client, "Mohammad Yusuf Karimi", "۱۹۸۵") == {str(dari.id)}
    # Another year, or another name, finds nothing.
    assert _found(client, "Mohammad Yusuf Karimi", "1986") == set()
    assert _found(client, "Mohammad Yunus Karimi", "1985") == set()
    # Both principals are the factory's Zarminagul Ahmadzai.
    assert _found(client, "Zarminagul Ahmadzai", "1987") == {str(dari.id), str(other.id)}


def test_a_name_entered_in_cyrillic_is_found_in_latin_and_dari(staff_app: Flask, signed_in) -> None:
    cyrillic = _case(staff_app, **CYRILLIC)
    client = signed_in("carla", Role.CASEWORKER)
    for spelling in ("Muhammad Yusuf Rahimi", "Mohammad Yousuf Rahimi", "محمد یوسف رحیمی"):
        assert _found(client, spelling, "1979") == {str(cyrillic.id)}, spelling
    # Two Latin-written spellings that only share consonants do not meet.
    assert _found(client, "Mahmud Yasif Rahimi", "1979") == set()


def test_a_reference_is_found_however_it_is_read_out(staff_app: Flask, signed_in) -> None:
    case = _case(staff_app)
    client = signed_in("carla", Role.CASEWORKER)
    reference = case.reference
    read_out = " ".join(reference[i : i + 4] for i in (0, 4, 8)).lower()
    read_out = read_out.replace("0", "o").replace("1", "l")
    for typed in (reference, "-".join(reference[i : i + 4] for i in (0, 4, 8)), read_out):
        assert _found(client, typed) == {str(case.id)}, typed
    persian = reference.translate({ord(str(d)): chr(0x06F0 + d) for d in range(10)})
    assert _found(client, persian) == {str(case.id)}


def test_document_and_phone_numbers_are_found_as_typed(staff_app: Flask, signed_in) -> None:
    dari = _case(staff_app, phone="0799 555 123", **DARI)  # written without the country code
    other = _case(staff_app, phone="+98 912 345 6789")
    client = signed_in("carla", Role.CASEWORKER)
    assert _found(client, "1398 0417 22871") == {str(dari.id)}
    assert _found(client, "۱۳۹۸-۰۴۱۷-۲۲۸۷۱") == {str(dari.id)}
    assert _found(client, "p01q 7733-xz") == {str(dari.id), str(other.id)}  # both principals
    assert _found(client, "+93 799 555 123") == {str(dari.id)}
    assert _found(client, "0093799555123") == {str(dari.id)}
    assert _found(client, "0912 345 6789") == {str(other.id)}  # read as an Iranian number
    assert _found(client, "+93 799 555 124") == set()


def test_a_case_the_searcher_may_not_see_is_not_found(staff_app: Flask, signed_in) -> None:
    colleague = signed_in("dora", Role.CASEWORKER)
    theirs = _case(staff_app, **DARI)
    update_case(staff_app, theirs, assignee_id=colleague.user.id)
    unassigned = _case(staff_app, **(DARI | {"document_number": "P99"}))
    caseworker = signed_in("carla", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)
    # The colleague's case is not theirs to see: not by name, reference or document either,
    # and the page reads as if it did not exist.
    assert _found(caseworker, "Mohammad Yusuf Karimi", "1985") == {str(unassigned.id)}
    assert _found(caseworker, theirs.reference) == set()
    assert _found(caseworker, "1398-0417-22871") == set()
    assert _found(decider, "Mohammad Yusuf Karimi", "1985") == {
        str(theirs.id),
        str(unassigned.id),
    }
    assert _found(colleague, theirs.reference) == {str(theirs.id)}
    # The envoy and administrators search nothing.
    envoy = signed_in("erik", Role.ENVOY)
    assert envoy.get("/staff/search").status_code == 403


def test_every_search_is_audited_without_its_terms(staff_app: Flask, signed_in) -> None:
    case = _case(staff_app, **DARI)
    client = signed_in("carla", Role.CASEWORKER)
    _found(client, "Mohammad Yusuf Karimi", "1985")
    _found(client, "Mohammad Yusuf Karimi", "1985")
    _found(client, "+93 70 123 4567")
    assert _found(client, case.reference) == {str(case.id)}
    # References are random: one with digits may also be a document number, one without
    # may not. Both are written out so that the kinds do not depend on the draw.
    _found(client, "4F7Q-9ZXM-2K8A")
    _found(client, "HFQK-ZXMR-TKWA")
    events = _events(staff_app)
    assert [event.details["kinds"] for event in events[:3]] == [
        ["name"],
        ["name"],
        ["document_number", "phone"],
    ]
    assert events[3].details["kinds"][0] == "reference"
    assert [event.details["kinds"] for event in events[4:]] == [
        ["reference", "document_number"],
        ["reference"],
    ]
    assert [event.details["found"] for event in events] == [1, 1, 1, 1, 0, 0]
    assert all(event.actor_id == client.user.id for event in events)  # type: ignore[attr-defined]
    # The same terms give the same keyed hash, so an investigation can tell which searches
    # looked for a person; the terms themselves are nowhere in the trail.
    assert events[0].details["terms"] == events[1].details["terms"] != events[2].details["terms"]
    # The hash is hex (where "1985" may well turn up by chance); everything else is words.
    assert all(re.fullmatch("[0-9a-f]{32}", event.details["terms"]) for event in events)
    rest = [{k: v for k, v in event.details.items() if k != "terms"} for event in events]
    trail = json.dumps(rest, ensure_ascii=False).lower()
    for term in ("mohammad", "karimi", "1985", "123 4567", "1234567", case.reference.lower()):
        assert term not in trail


def test_the_terms_never_stand_in_a_url(staff_app: Flask, signed_in) -> None:
    _case(staff_app, **DARI)
    client = signed_in("carla", Role.CASEWORKER)
    queue = client.get("/staff/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/staff/search"[^>]*>', queue)
    assert form, "no search box on the queue"
    response = _search(client, "Mohammad Yusuf Karimi", "1985")
    assert response.status_code == 200  # shown at once, never redirected to a URL with terms
    # A GET with terms in its query string searches nothing and records nothing.
    html = client.get("/staff/search?terms=Karimi&year=1985").get_data(as_text=True)
    assert FOUND not in html
    assert len(_events(staff_app)) == 1


def test_bad_searches_get_a_message_and_keep_what_was_typed(staff_app: Flask, signed_in) -> None:
    client = signed_in("carla", Role.CASEWORKER)
    response = _search(client, "Mohammad Yusuf Karimi")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "year of birth" in html and 'value="Mohammad Yusuf Karimi"' in html
    response = _search(client, "Mohammad", "85")
    assert response.status_code == 400 and "four digits" in response.get_data(as_text=True)
    assert _search(client, "   ").status_code == 400
    assert _search(client, "x" * 201).status_code == 400
    assert _search(client, "--- ...").status_code == 400
    # Without its token the form is shown again with what was typed, and nothing searched.
    response = client.post("/staff/search", data={"terms": "Karimi Yusuf", "year": "1985"})
    assert response.status_code == 400
    assert 'value="Karimi Yusuf"' in response.get_data(as_text=True)
    assert _events(staff_app) == []
    # A NUL is no error either: it is no part of any name.
    assert _search(client, "\x00Karimi", "1985").status_code == 200


def test_a_year_of_birth_is_found_in_the_solar_hijri_calendar_too(
    staff_app: Flask, signed_in
) -> None:
    """Afghan papers and callers give the Solar Hijri year: 1364 ran from March 1985 to
    March 1986, so it finds those born in either, however their date was entered."""
    gregorian = _case(staff_app, **DARI)  # born 1985-04
    solar_hijri = _case(staff_app, **(DARI | {"birth_date": "SH:1364"}))  # the year alone
    client = signed_in("carla", Role.CASEWORKER)
    both = {str(gregorian.id), str(solar_hijri.id)}
    assert _found(client, "Mohammad Yusuf Karimi", "1364") == both
    assert _found(client, "Mohammad Yusuf Karimi", "۱۳۶۴") == both
    assert _found(client, "Mohammad Yusuf Karimi 1364") == both
    assert _found(client, "Mohammad Yusuf Karimi", "1986") == {str(solar_hijri.id)}
    assert _found(client, "Mohammad Yusuf Karimi", "1362") == set()  # 1983 to 1984


@pytest.mark.parametrize(
    ("typed", "year"),
    [
        ("", None),
        ("1985", 1985),
        ("۱۹۸۵", 1985),
        (" 1985 ", 1985),
        ("١٩٨٥", 1985),
        ("1364", 1364),  # Solar Hijri
        ("۱۳۶۴", 1364),
    ],
)
def test_years_of_birth_are_read_in_any_digits(typed: str, year: int | None) -> None:
    assert parse_year(typed) == year


@pytest.mark.parametrize("typed", ["85", "1899", "1278", "1500", "3000", "19 85", "abcd", "1985.0"])
def test_what_is_not_a_year_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_year(typed)


def test_a_phone_number_without_its_country_code_is_read_in_each_region() -> None:
    assert "+93799555123" in phone_candidates("0799 555 123")
    assert phone_candidates("+93 799 555 123") == {"+93799555123"}
    assert phone_candidates("1985") == set()  # a year, not a phone number
    assert phone_candidates("7K3P 9QRT 1W2X") == set()  # letters: a reference, not a phone


def test_the_search_speaks_german(staff_app: Flask, signed_in) -> None:
    _case(staff_app, **DARI)
    client = signed_in("carla", Role.CASEWORKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    queue = client.get("/staff/").get_data(as_text=True)
    assert "Vorgangsnummer, Name, Dokument- oder Telefonnummer" in queue
    html = _search(client, "Mohammad Yusuf Karimi", "1985").get_data(as_text=True)
    assert "Vorgang suchen" in html and "1 Vorgang gefunden." in html
    refused = _search(client, "Mohammad Yusuf Karimi").get_data(as_text=True)
    assert "Bitte geben Sie auch das Jahr an." in refused
