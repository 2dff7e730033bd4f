"""In Chromium, at a desk's 1280 × 720 in German: a caseworker finds a case entered in Dari
by a name spelt in Latin letters, sees its question to the applicant overdue, and sends a
reminder with a new deadline; no page of the way scrolls sideways."""

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.cases.models import Case, Message
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from portal.review import services
from tests.browser.staff import make_account, staff_sign_in
from tests.factories import make_case, put_watchlist_in_force
from tests.review.conftest import through_intake

# Entered in Dari only: nothing in Latin letters for a Latin search to meet letter by letter.
DARI_ONLY = {
    "given_names": "محمد یوسف",
    "family_name": "کریمی",
    "given_names_latin": None,
    "family_name_latin": None,
    "birth_date": "1985-04",
}


def _case_with_an_overdue_question(app: Flask, caseworker: str) -> Case:
    with app.app_context():
        put_watchlist_in_force(db.session)
        case, _code = make_case(db.session, family=0, **DARI_ONLY)
        case = through_intake(case)  # screened: its blind indexes are written
        worker = db.session.scalars(select(StaffUser).where(StaffUser.username == caseworker)).one()
        worker.language = "de"  # the staff language chosen on the account
        stored = db.session.get(Case, case.id)
        assert stored is not None
        services.assign(db.session, stored, worker, worker)
        services.request_information(
            db.session, stored, worker, "Bitte senden Sie eine Kopie Ihrer Tazkira.", 14
        )
        db.session.commit()
        due = utcnow() - timedelta(days=2)  # two weeks have passed without an answer
        db.session.execute(update(Message).where(Message.case_id == case.id).values(due_at=due))
        db.session.execute(update(Case).where(Case.id == case.id).values(answer_due_at=due))
        db.session.commit()
        db.session.remove()
    return case


def _scrolls_sideways(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth"
        )
    )


@pytest.mark.browser
def test_a_caseworker_finds_a_dari_case_in_latin_letters_and_reminds_the_applicant(
    browser: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    secret = make_account(app, "amira", Role.CASEWORKER)
    case = _case_with_an_overdue_question(app, "amira")
    desk = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    try:
        page = desk.new_page()
        staff_sign_in(page, base, "amira", secret)
        assert page.locator("html").get_attribute("lang") == "de"
        assert "Arbeitsvorrat" in page.locator("main").inner_text()
        assert not _scrolls_sideways(page), "the queue scrolls sideways"

        page.fill("#search-terms", "Mohammad Yusuf Karimi")
        page.fill("#search-year", "1985")
        page.locator("form.search button[type=submit]").click()
        found = page.locator(f"main a[href='/staff/cases/{case.id}']")
        assert found.count() == 1, "the case entered in Dari was not found"
        assert "überfällig" in page.locator("main table").inner_text()
        assert not _scrolls_sideways(page), "the search results scroll sideways"

        found.click()
        main = page.locator("main")
        assert case.reference in page.locator("h1").inner_text()
        page.locator("#section-applicant > summary").click()  # folded while a question waits
        assert "محمد یوسف" in page.locator("#section-applicant").inner_text()
        deadline = page.locator(".deadline")
        assert "überfällig" in deadline.inner_text()
        assert not _scrolls_sideways(page), "the case screen scrolls sideways"

        page.fill("#reminder-days", "10")
        deadline.locator("button[type=submit]").click()
        new_day = (utcnow() + timedelta(days=10)).date().isoformat()
        notice = page.locator("[role=status]")
        assert "Erinnerung gesendet" in notice.inner_text()
        assert new_day in notice.inner_text()
        assert "überfällig" not in page.locator(".deadline").inner_text()
        assert "Erinnerung" in main.inner_text()  # the reminder among the messages
        assert not _scrolls_sideways(page), "the case screen scrolls sideways"
    finally:
        desk.close()
