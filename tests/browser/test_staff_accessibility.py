"""No serious or critical axe-core violations (WCAG 2.1 A and AA) on the staff screens, in
both staff languages: public bodies owe their own staff accessible software too."""

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases.models import Case
from portal.core.actors import Role
from portal.extensions import db
from portal.intake.tasks import process_case
from tests.browser.axe import serious_violations
from tests.browser.phone import Visit, fill_local_staff_application, start_application
from tests.browser.staff import make_account, staff_sign_in


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_staff_screens_have_no_serious_violations(
    browser: Any, phone: Any, live_app: tuple[Flask, str], locale: str
) -> None:
    app, base = live_app
    applicant = Visit(phone, base)
    start_application(applicant)
    fill_local_staff_application(applicant)
    applicant.send()
    with app.app_context():
        case_id = db.session.scalars(select(Case.id)).one()
        process_case(str(case_id))
    secret = make_account(app, "erika", Role.DECIDER, Role.SECURITY_OFFICER)
    admin_secret = make_account(app, "ada", Role.ADMIN)  # an administrator holds no other role

    # axe runs as a script: allowed past the pages' strict CSP for the injected script only.
    desk = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale=locale, bypass_csp=True
    )
    page = desk.new_page()
    page.goto(base + "/staff/sign-in")
    assert page.locator("html").get_attribute("lang") == locale[:2]
    problems = {"/staff/sign-in": serious_violations(page)}
    staff_sign_in(page, base, "erika", secret)
    for path in (
        "/staff/",
        "/staff/?threat=high&waiting=30",
        "/staff/?view=confirm&sort=newest",  # a saved view, another order
        f"/staff/cases/{case_id}",
        f"/staff/cases/{case_id}/export",
        "/staff/alerts",  # a security officer's too
        "/staff/team",  # a decider leads the team
        "/staff/account/password",
    ):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        problems[path] = serious_violations(page)
    desk.clear_cookies()
    staff_sign_in(page, base, "ada", admin_secret, lands_on="table")
    for path in ("/staff/alerts", "/staff/audit", "/staff/failed-jobs", "/staff/admin/staff"):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        problems[path] = serious_violations(page)
    # A new account: the link shown to the administrator, and the page it opens.
    page.fill("[name=username]", "new.worker")
    page.fill("[name=display_name]", "New Worker")
    page.check("input[name=roles][value=caseworker]")
    page.locator("form[action$='/admin/staff'] button[type=submit]").click()
    problems["enrolment link"] = serious_violations(page)
    link = page.locator("p.secret code").inner_text()
    desk.clear_cookies()
    page.goto(link)
    problems["enrolment"] = serious_violations(page)
    desk.close()
    assert {path: found for path, found in problems.items() if found} == {}
