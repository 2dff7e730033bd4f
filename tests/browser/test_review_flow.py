"""In Chromium: a caseworker signs in with a TOTP code, opens a submitted case and asks the
applicant a question; the applicant answers on their phone; a security officer clears the
screening's concern; the caseworker proposes admission, another person confirms it, and the
applicant sees the result."""

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases.models import Case
from portal.core.actors import Role
from portal.extensions import db
from portal.intake.tasks import process_case
from tests.browser.phone import Visit, fill_local_staff_application, start_application
from tests.browser.staff import make_account, staff_sign_in
from tests.factories import put_watchlist_in_force


@pytest.mark.browser
def test_a_case_from_question_to_admission(
    browser: Any, phone: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    applicant = Visit(phone, base)
    start_application(applicant)
    fill_local_staff_application(applicant)
    applicant.send()  # send the application
    with app.app_context():
        put_watchlist_in_force(db.session)  # screened against a list: nothing found, clear
        case_id = db.session.scalars(select(Case.id)).one()
        process_case(str(case_id))  # what the worker does

    worker_secret = make_account(app, "amira", Role.CASEWORKER)
    decider_secret = make_account(app, "bernd", Role.DECIDER)
    officer_secret = make_account(app, "sami", Role.SECURITY_OFFICER)
    desk = browser.new_context(viewport={"width": 1400, "height": 900})
    worker = desk.new_page()
    staff_sign_in(worker, base, "amira", worker_secret)
    worker.locator(f"a[href='/staff/cases/{case_id}']").click()
    assert "Zarmina" in worker.locator("main").inner_text()
    worker.fill("[name=question]", "Bitte senden Sie Ihren Arbeitsvertrag.")
    worker.get_by_role("button", name="Ask the applicant").click()
    assert "information requested" in worker.locator("h1").inner_text()

    applicant.go("/case/messages")
    assert "Bitte senden Sie Ihren Arbeitsvertrag." in phone.locator("main").inner_text()
    applicant.fill(body="Der Vertrag ist unterwegs.")
    applicant.send()

    worker.reload()
    assert "Der Vertrag ist unterwegs." in worker.locator("main").inner_text()
    # One tazkira number given for all three family members: a concern to clear first.
    assert "Admission needs a cleared screening" in worker.locator("main").inner_text()
    officer = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    staff_sign_in(officer, base, "sami", officer_secret)
    officer.goto(f"{base}/staff/cases/{case_id}")
    officer.select_option("select[name=status]", "clear")
    officer.fill("#screening-reason", "Tazkira-Nummern der Familie beim Termin geprüft.")
    officer.get_by_role("button", name="Set screening result").click()

    worker.reload()
    worker.check("input[name=outcome][value=admit]")
    worker.fill("[name=reasons]", "Ortskraft der Bundeswehr, Gefährdung belegt.")
    worker.get_by_role("button", name="Propose decision").click()
    assert "decision proposed" in worker.locator("h1").inner_text()

    second = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    staff_sign_in(second, base, "bernd", decider_secret)
    second.goto(f"{base}/staff/cases/{case_id}")
    second.get_by_role("button", name="Confirm decision").click()
    assert "admitted" in second.locator("h1").inner_text()

    applicant.go("/case")
    assert "Admission approved" in phone.locator(".status").inner_text()
    desk.close()
