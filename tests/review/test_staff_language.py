"""The staff language (German or English) chosen per account, and error pages on the staff
URLs in the staff design and language."""

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.core.actors import Role
from portal.extensions import db
from tests.review.conftest import Clock, csrf, sign_in

GERMAN_QUEUE = "Arbeitsvorrat"


def _choose(client: Any, language: str, next_page: str = "/staff/") -> Any:
    token = csrf(client.get(next_page).get_data(as_text=True))
    return client.post(
        "/staff/account/language",
        data={"language": language, "next": next_page, "csrf_token": token},
    )


def _html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', page)
    assert match, "no <html lang dir>"
    return f"{match.group(1)} {match.group(2)}"


def test_the_chosen_language_is_kept_across_sign_out_and_sign_in(
    staff_app: Flask, make_staff: Any, clock: Clock
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    client = staff_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    assert sign_in(client, user, secret, clock).status_code == 302
    page = client.get("/staff/").get_data(as_text=True)
    assert _html_lang(page) == "en ltr" and GERMAN_QUEUE not in page

    chosen = _choose(client, "de")
    assert chosen.status_code == 302 and chosen.location.endswith("/staff/")
    page = client.get("/staff/").get_data(as_text=True)
    assert _html_lang(page) == "de ltr" and GERMAN_QUEUE in page

    token = csrf(page)
    assert client.post("/staff/sign-out", data={"csrf_token": token}).status_code == 302
    again = staff_app.test_client()
    again.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    assert sign_in(again, user, secret, clock).status_code == 302
    page = again.get("/staff/").get_data(as_text=True)
    assert _html_lang(page) == "de ltr" and GERMAN_QUEUE in page

    # And back to English, which then wins over a German browser.
    again.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    assert _choose(again, "en").status_code == 302
    page = again.get("/staff/").get_data(as_text=True)
    assert _html_lang(page) == "en ltr" and GERMAN_QUEUE not in page


def test_without_a_choice_the_staff_pages_follow_the_browser(signed_in: Any) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    assert GERMAN_QUEUE in client.get("/staff/").get_data(as_text=True)
    # A browser set to Dari gets a staff language, not a Dari page with English words.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF,fa;q=0.9"
    assert _html_lang(client.get("/staff/").get_data(as_text=True)) == "en ltr"


def test_a_language_switch_without_its_csrf_token_changes_nothing(
    staff_app: Flask, signed_in: Any
) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    refused = client.post("/staff/account/language", data={"language": "de", "next": "/staff/"})
    assert refused.status_code == 400
    assert "This form expired" in refused.get_data(as_text=True)
    with staff_app.app_context():
        language = db.session.scalar(
            select(StaffUser.language).where(StaffUser.username == "amira")
        )
    assert language is None


def test_only_the_staff_languages_and_staff_pages_are_accepted(
    staff_app: Flask, signed_in: Any
) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    assert _choose(client, "fa_AF").status_code == 400
    token = csrf(client.get("/staff/").get_data(as_text=True))
    elsewhere = client.post(
        "/staff/account/language",
        data={"language": "de", "next": "//evil.example/staff/", "csrf_token": token},
    )
    assert elsewhere.status_code == 302 and elsewhere.location.endswith("/staff/")


def test_a_staff_404_for_a_dari_browser_is_a_staff_page_in_a_staff_language(
    staff_app: Flask, signed_in: Any
) -> None:
    anonymous = staff_app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF,fa;q=0.9"
    response = anonymous.get("/staff/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert _html_lang(page) == "en ltr"
    assert "staff.css" in page and "This page does not exist." in page
    assert 'href="/staff/"' in page and 'href="/"' not in page

    client = signed_in("amira", Role.CASEWORKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF,fa;q=0.9"
    _choose(client, "de")
    page = client.get("/staff/no-such-page").get_data(as_text=True)
    assert _html_lang(page) == "de ltr" and GERMAN_QUEUE in page  # with the navigation
    assert "Diese Seite gibt es nicht." in page
    assert 'href="/staff/"' in page


def test_a_staff_403_leads_to_the_persons_own_start(signed_in: Any) -> None:
    client = signed_in("ada", Role.ADMIN)  # no queue: their start is the alerts
    response = client.get("/staff/")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "staff.css" in page and "You are not allowed to do this." in page
    assert 'href="/staff/alerts">Back to the staff start' in page


def test_the_applicants_error_pages_stay_as_they_were(staff_app: Flask) -> None:
    client = staff_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF,fa;q=0.9"
    page = client.get("/no-such-page").get_data(as_text=True)
    assert 'dir="rtl"' in page and "staff.css" not in page and 'href="/"' in page
