"""Pages showing a lasting secret other than the CSRF token carry the mark that keeps the web
server from compressing them (docs/security.md, "Compression and BREACH"); other pages do
not, so they can be compressed."""

import re

from flask.testing import FlaskClient

from portal.accounts.services import invite_staff
from portal.core.actors import Role
from portal.extensions import db
from tests.apply.journey import Applicant


def is_marked(response) -> bool:
    return response.headers.get("Content-Encoding") == "identity" and (
        "no-transform" in response.headers["Cache-Control"]
    )


def test_the_access_code_page_is_marked_and_the_others_are_not(client: FlaskClient) -> None:
    applicant = Applicant(client)
    applicant.post(
        "/eligibility", {"programme": "local_staff", "outside_germany": "yes", "basis": "yes"}
    )
    started = client.post(
        "/start", data={"programme": "local_staff", "csrf_token": applicant.token()}
    )
    for path in (started.location, "/application/receipt/download"):
        response = client.get(path)
        code = r'<bdi class="code" dir="ltr" lang="en">[0-9A-Z-]+</bdi>'
        assert re.search(code, response.get_data(as_text=True)), path
        assert is_marked(response), path
        assert response.headers["Cache-Control"].startswith("no-store"), path
    for path in ("/", "/eligibility", "/sign-in", "/application", "/staff/sign-in"):
        page = client.get(path)
        assert "Content-Encoding" not in page.headers, path
        assert page.headers["Cache-Control"] == "no-store", path


def test_the_enrolment_page_with_the_authenticator_key_is_marked(make_app) -> None:
    app = make_app()
    with app.app_context():
        _user, token = invite_staff(db.session, "neu", "Neu", [Role.CASEWORKER], actor=None)
        db.session.commit()
    response = app.test_client().get(f"/staff/enrol/{token}")
    assert response.status_code == 200
    assert 'class="totp-key"' in response.get_data(as_text=True)
    assert is_marked(response)
