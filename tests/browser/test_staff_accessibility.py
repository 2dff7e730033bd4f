"""No serious or critical axe-core violations (WCAG 2.1 A and AA) on the staff screens, in
both staff languages: public bodies owe their own staff accessible software too.

Every staff page that answers a GET is walked, by the roles that reach it, the case screen
in several statuses; a second test fails when a staff page is added that the walk does not
cover (or exempt, with a reason)."""

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.cases.models import Case
from portal.cases.states import CaseStatus, DecisionOutcome
from portal.core.actors import Role
from portal.extensions import db
from portal.intake.tasks import process_case
from portal.review import services
from tests.browser.axe import serious_violations
from tests.browser.phone import Visit, fill_local_staff_application, start_application
from tests.browser.staff import make_account, staff_sign_in
from tests.factories import make_case, put_watchlist_in_force
from tests.review.conftest import through_intake, update_case
from tests.review.test_case_screen import WATCHLIST

# Every staff page a browser opens with GET, and what the walk below visits for it.
WALKED = {
    "accounts.sign_in": "the sign-in form",
    "accounts.enrol": "the page an enrolment link opens",
    "accounts.change_password": "one's own password",
    "accounts.list_staff": "staff accounts (administrator), and the new account's link",
    "review.show_queue": "the queue, plain and filtered",
    "review.show_case": "the case screen in review, with a question out, with a proposal, "
    "rejected, admitted, with a watch-list hit (security officer)",
    "review.export_case": "the export form",
    "review.search": "the search form and its results",
    "review.show_alerts": "alerts (security officer, administrator)",
    "review.show_audit": "the audit log",
    "review.list_failed_jobs": "failed jobs",
    "review.show_team": "the team page (a decider)",
    "reports.show_reports": "the envoy's reports",
}
# GET routes that are not pages: what they answer is a file, which axe cannot read.
EXEMPT = {
    "review.download_document": "a document, sent as an attachment or an image",
    "reports.export_table": "a CSV file",
    "reports.export_workbook": "a spreadsheet file",
}


def _staff_get_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "GET" in (rule.methods or ())
    }


def test_every_staff_page_is_walked_or_exempt_with_a_reason(make_app: Any) -> None:
    endpoints = _staff_get_endpoints(make_app())
    assert endpoints - WALKED.keys() - EXEMPT.keys() == set(), "add it to the walk below"
    assert (WALKED.keys() | EXEMPT.keys()) - endpoints == set(), "gone: take it out here"


def _cases_in_several_statuses(app: Flask, worker: str) -> dict[str, str]:
    """Cases in review, with a question out, with a proposal, rejected and admitted, and
    one on the watch list; by name, their ids."""
    with app.app_context():
        put_watchlist_in_force(db.session, WATCHLIST)
        hit = through_intake(make_case(db.session)[0])
        put_watchlist_in_force(db.session)
        made = {"hit": hit}
        for name in ("asked", "proposed", "rejected", "admitted"):
            made[name] = through_intake(make_case(db.session)[0])
        actor = db.session.scalars(select(StaffUser).where(StaffUser.username == worker)).one()
        for name, act in (
            ("asked", lambda case: services.request_information(db.session, case, actor, "?")),
            (
                "proposed",
                lambda case: services.propose_decision(
                    db.session, case, actor, DecisionOutcome.REJECT, "Nicht belegt."
                ),
            ),
        ):
            act(db.session.get(Case, made[name].id))
            db.session.commit()
        db.session.remove()
    update_case(app, made["rejected"], status=CaseStatus.REJECTED)
    update_case(app, made["admitted"], status=CaseStatus.ADMITTED, screening_status="clear")
    return {name: str(case.id) for name, case in made.items()}


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
    make_account(app, "carla", Role.CASEWORKER)
    envoy_secret = make_account(app, "emil", Role.ENVOY)
    admin_secret = make_account(app, "ada", Role.ADMIN)  # an administrator holds no other role
    cases = _cases_in_several_statuses(app, "carla")
    adapter = app.url_map.bind("localhost")
    visited: set[str] = set()

    # axe runs as a script: allowed past the pages' strict CSP for the injected script only.
    desk = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale=locale, bypass_csp=True
    )
    page = desk.new_page()
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        path = page.url.removeprefix(base).split("?", 1)[0]
        visited.add(adapter.match(path, method="GET")[0])
        problems[name] = serious_violations(page)

    def visit(*paths: str) -> None:
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            check(path)

    page.goto(base + "/staff/sign-in")
    assert page.locator("html").get_attribute("lang") == locale[:2]
    check("/staff/sign-in")
    staff_sign_in(page, base, "erika", secret)
    visit(
        "/staff/",
        "/staff/?threat=high&waiting=30",
        "/staff/?view=confirm&sort=newest",  # a saved view, another order
        f"/staff/cases/{case_id}",
        *(f"/staff/cases/{case}" for case in cases.values()),
        f"/staff/cases/{case_id}/export",
        "/staff/alerts",  # a security officer's too
        "/staff/team",  # a decider leads the team
        "/staff/account/password",
        "/staff/search",
    )
    page.fill("[name=terms]", "Ahmadzai")
    page.locator("main form button[type=submit]").click()
    check("search results")
    # What a confirmation and a refusal look like: the banners after an action.
    page.goto(f"{base}/staff/cases/{cases['hit']}")
    page.locator("details.more > summary").click()
    page.fill("[name=body]", "Geprüft.")
    page.locator("form[action$='/notes'] button[type=submit]").click()
    assert page.locator("[role=status].banner").count() == 1
    check("confirmation banner")
    page.locator("details.more > summary").click()
    page.fill("#reason", "Unverändert.")  # the level it has already: refused
    page.locator("form[action$='/threat'] button[type=submit]").click()
    assert page.locator("[role=alert].banner").count() == 1
    check("error banner")

    desk.clear_cookies()
    staff_sign_in(page, base, "emil", envoy_secret, lands_on="main h1")
    visit("/staff/reports/", "/staff/account/password")
    desk.clear_cookies()
    staff_sign_in(page, base, "ada", admin_secret, lands_on="table")
    visit("/staff/alerts", "/staff/audit", "/staff/failed-jobs", "/staff/admin/staff")
    # A new account: the link shown to the administrator, and the page it opens.
    page.fill("[name=username]", "new.worker")
    page.fill("[name=display_name]", "New Worker")
    page.check("input[name=roles][value=caseworker]")
    page.locator("form[action$='/admin/staff'] button[type=submit]").click()
    check("enrolment link")
    link = page.locator("p.secret code").inner_text()
    desk.clear_cookies()
    page.goto(link)
    check("enrolment")
    desk.close()
    assert visited == WALKED.keys(), "every page the walk names, and only those"
    assert {path: found for path, found in problems.items() if found} == {}
