"""Sign-in limits, expired forms, timeouts, other people's records, and what stays secret."""

import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cases.models import Case
from portal.extensions import db
from tests.apply.journey import Applicant
from tests.conftest import AppFactory
from tests.core.test_no_plaintext_at_rest import _database_bytes, _found_in


def _client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_sign_in_is_limited_per_reference_whoever_tries(make_app: AppFactory) -> None:
    app = make_app()
    applicant = Applicant(app.test_client())
    applicant.start()
    wrong = "0000-0000-0000-0000"
    for attempt in range(10):
        # Each attempt from another address, as a botnet would.
        other = Applicant(_client_from(app, f"10.0.0.{attempt}"))
        response = other.sign_in(applicant.reference, wrong)
        assert response.status_code == 400, attempt
        assert "is not right" in response.get_data(as_text=True)
    late = Applicant(_client_from(app, "10.0.1.1")).sign_in(
        applicant.reference, applicant.access_code
    )
    assert late.status_code == 429  # even the right code waits now
    assert "Too many attempts" in late.get_data(as_text=True)


def test_an_unknown_reference_and_a_wrong_code_get_the_same_answer(applicant: Applicant) -> None:
    applicant.sign_out()
    wrong_code = applicant.sign_in(applicant.reference, "0000-0000-0000-0000")
    unknown = applicant.sign_in("ZZZZ-ZZZZ-ZZZZ", applicant.access_code)
    assert wrong_code.status_code == unknown.status_code == 400
    strip = lambda html: html.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong_code.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))


def test_an_expired_form_comes_back_with_what_was_typed(applicant: Applicant) -> None:
    applicant.get("/application/names")
    response = applicant.client.post(
        "/application/names",
        data={"given_names": "زرمینه", "family_name": "احمدزی", "csrf_token": "expired"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form expired for your safety" in html
    assert 'value="زرمینه"' in html and 'value="احمدزی"' in html
    # A fresh token to send it again with, and nothing was saved.
    assert 'name="csrf_token" value="' in html
    tasks = applicant.get("/application").get_data(as_text=True)
    assert 'Personal details</a> <strong class="tag not_started">' in tasks


def test_a_session_ends_after_the_idle_timeout(
    applicant: Applicant, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert applicant.get("/application").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = applicant.get("/application")
    assert response.status_code == 302 and response.location.endswith("/sign-in")


def test_pages_need_a_signed_in_applicant(client: FlaskClient) -> None:
    for path in ("/application", "/application/names", "/application/family", "/case"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/sign-in")


def test_another_applicants_family_member_is_not_found(make_app: AppFactory) -> None:
    first = Applicant(make_app().test_client())
    first.start()
    first.add_member("child", "احمد", "2015")
    page = first.get("/application/family").get_data(as_text=True)
    member_path = page.split('href="/application/family/')[1].split('"')[0]
    second = Applicant(make_app().test_client())
    second.start()
    assert second.get(f"/application/family/{member_path}").status_code == 404
    assert second.get("/application/family/not-a-uuid").status_code == 404


def test_nothing_typed_is_stored_in_clear(
    make_app: AppFactory, applicant: Applicant, tmp_path: Path
) -> None:
    applicant.fill_principal()
    applicant.add_member("spouse", "فرشته‌گل", "1990")
    app = make_app()
    with app.app_context():
        assert db.session.scalars(select(Case)).one().people_count == 2
        found = []
        for name, blob in _database_bytes(app, tmp_path):
            found += [(name, hit) for hit in _found_in(blob)]
    typed = ["زرمینه", "احمدزی", "Zarmina", "Ahmadzai", "Mazar-i-Sharif", "P0177 33", "فرشته‌گل"]
    assert found == []
    for value in typed:  # _found_in looks for these too
        assert value not in str(found)


@pytest.mark.parametrize("token", ["expired", ""])
def test_signing_out_works_whatever_the_form_token(applicant: Applicant, token: str) -> None:
    """On a shared phone, a sign-out that fails on a stale page leaves the case open."""
    assert applicant.get("/application").status_code == 200
    response = applicant.client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert applicant.get("/application").status_code == 302  # signed out
    assert applicant.client.get("/sign-out").status_code == 405
