"""The access code's receipt: shown again, printed or saved, until the first sign-in with
the code, and only to the browser that started the application."""

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.apply.views import start as start_views
from portal.cases.models import Case
from portal.extensions import db
from tests.apply.journey import Applicant
from tests.conftest import AppFactory

RECEIPT = "/application/receipt"
DOWNLOAD = "/application/receipt/download"


def _stored_receipt(make_app: AppFactory) -> bytes | None:
    with make_app().app_context():
        return db.session.scalars(select(Case)).one().access_code_receipt_ct


def test_the_receipt_can_be_opened_again_until_the_first_sign_in(
    applicant: Applicant, make_app: AppFactory
) -> None:
    for _reload in range(2):  # a reload, or the phone coming back, shows it again
        html = applicant.get(RECEIPT).get_data(as_text=True)
        assert applicant.access_code in html and applicant.reference in html
    assert RECEIPT in applicant.get("/application").get_data(as_text=True)
    stored = _stored_receipt(make_app)
    assert stored and applicant.access_code.encode() not in stored  # encrypted

    applicant.sign_out()
    assert applicant.get(RECEIPT).status_code == 302  # signed out: to the sign-in page
    assert applicant.sign_in(applicant.reference, applicant.access_code).status_code == 302
    assert applicant.get(RECEIPT).status_code == 404
    assert RECEIPT not in applicant.get("/application").get_data(as_text=True)
    assert _stored_receipt(make_app) is None


def test_a_copy_of_the_cookie_shows_nothing_after_the_first_sign_in(
    applicant: Applicant, make_app: AppFactory
) -> None:
    assert applicant.get(RECEIPT).status_code == 200
    elsewhere = Applicant(make_app().test_client())
    assert elsewhere.sign_in(applicant.reference, applicant.access_code).status_code == 302
    # The first browser's session is still valid, but the code is no longer kept anywhere.
    assert applicant.get(RECEIPT).status_code == 404
    assert applicant.get(DOWNLOAD).status_code == 404
    assert applicant.get("/application").status_code == 200


def test_a_copy_of_the_cookie_opens_nothing_once_the_applicant_has_signed_out(
    applicant: Applicant, make_app: AppFactory
) -> None:
    """Signing out only cleared the cookie in the browser that pressed the button: a copy
    made before (a seized phone's backup, a synced profile) kept the case, and the receipt
    with the access code, open for as long as it was used every 30 minutes."""
    copy = applicant.client.get_cookie("s")
    assert copy is not None and applicant.get(RECEIPT).status_code == 200
    other_device = Applicant(make_app().test_client())
    assert other_device.sign_in(applicant.reference, applicant.access_code).status_code == 302

    applicant.sign_out()

    replayed = make_app().test_client()
    replayed.set_cookie("s", copy.value)
    for page in (RECEIPT, DOWNLOAD, "/application", "/case"):
        response = replayed.get(page)
        assert response.status_code == 302, page
        assert response.location.endswith("/sign-in"), page
    # Signing out is for the whole case: the other device signs in again too.
    assert other_device.get("/application").location.endswith("/sign-in")
    assert other_device.sign_in(applicant.reference, applicant.access_code).status_code == 302
    assert other_device.get("/application").status_code == 200


def test_another_browser_signed_in_never_sees_the_code(
    applicant: Applicant, make_app: AppFactory
) -> None:
    elsewhere = Applicant(make_app().test_client())
    elsewhere.sign_in(applicant.reference, applicant.access_code)
    assert elsewhere.get(RECEIPT).status_code == 404


def test_the_receipt_is_still_there_after_sending_the_application(applicant: Applicant) -> None:
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    assert applicant.submit().status_code == 302
    status = applicant.get("/case?submitted=1").get_data(as_text=True)
    assert RECEIPT in status
    page = applicant.get(RECEIPT).get_data(as_text=True)
    assert applicant.access_code in page and 'href="/case"' in page


def test_the_receipt_downloads_as_a_small_page_without_personal_data_in_its_address(
    client: FlaskClient,
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ps"
    applicant = Applicant(client)
    applicant.start()
    page = applicant.get(RECEIPT).get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', page)
    assert DOWNLOAD in links
    for link in links:
        assert applicant.access_code not in link and applicant.reference not in link
        assert applicant.access_code.replace("-", "") not in link

    response = applicant.get(DOWNLOAD)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="information.html"'
    assert response.headers["Cache-Control"].startswith("no-store")
    saved = response.get_data(as_text=True)
    assert '<html lang="ps" dir="rtl">' in saved
    assert applicant.access_code in saved and applicant.reference in saved
    assert "<link" not in saved and "<script" not in saved and "src=" not in saved


def test_the_code_never_breaks_at_a_hyphen(applicant: Applicant) -> None:
    html = applicant.get(RECEIPT).get_data(as_text=True)
    assert f'<bdi class="code" dir="ltr" lang="en">{applicant.access_code}</bdi>' in html


def test_the_first_sign_in_while_intake_screens_the_case_still_signs_in(
    applicant: Applicant, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing in right after sending meets the worker screening the case: the worker's
    commit moves the row's version on between the sign-in's read and its commit. Taking
    the receipt away must not turn that overlap into a server error (the deployment test
    met it)."""
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    assert applicant.submit().status_code == 302
    applicant.sign_out()
    opened = start_views.open_with_access_code

    def screened_meanwhile(session: Any, reference: str, code: str) -> Case | None:
        case = opened(session, reference, code)
        if case is not None:  # what intake's commit does to the row meanwhile
            session.execute(
                update(Case)
                .where(Case.id == case.id)
                .values(row_version=Case.row_version + 1)
                .execution_options(synchronize_session=False)
            )
        return case

    monkeypatch.setattr(start_views, "open_with_access_code", screened_meanwhile)
    assert applicant.sign_in(applicant.reference, applicant.access_code).status_code == 302
    assert _stored_receipt(make_app) is None
    assert applicant.get("/case").status_code == 200
