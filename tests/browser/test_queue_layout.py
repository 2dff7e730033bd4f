"""The queue on a laptop: at 1280 x 720, in German and in English, at least 15 cases are
seen without scrolling down, and nothing has to be scrolled sideways."""

import os
from datetime import timedelta
from itertools import cycle
from typing import Any

import pytest
from flask import Flask

from portal.cases.custody import start_case
from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from tests.browser.staff import make_account, staff_sign_in

LAPTOP = {"width": 1280, "height": 720}


def _fill_queue(app: Flask, number: int) -> None:
    """Cases in every open stage, level and screening, with the longest labels among them."""
    now = utcnow()
    statuses = cycle(
        [
            CaseStatus.DECISION_PROPOSED,
            CaseStatus.INFO_REQUESTED,
            CaseStatus.IN_REVIEW,
            CaseStatus.SCREENING,
        ]
    )
    threats, screenings = cycle(list(ThreatLevel)), cycle(list(ScreeningStatus))
    with app.app_context():
        for index in range(number):
            case, _code = start_case(
                db.session,
                programme=Programme.AT_RISK if index % 2 else Programme.LOCAL_STAFF,
                language="fa_AF",
            )
            case.status = next(statuses)
            case.threat_level, case.screening_status = next(threats), next(screenings)
            case.identity_to_be_clarified = index % 3 == 0
            case.nationality, case.country_of_stay = "AF", "IR" if index % 2 else "PK"
            case.people_count, case.priority_score = 1 + index % 7, 100 - index
            case.submitted_at = now - timedelta(days=400 - index)
            case.status_changed_at = now - timedelta(days=index * 11)
        db.session.commit()


def _layout(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => {
        const box = document.scrollingElement;
        const rows = [...document.querySelectorAll("table.cases tbody tr")];
        return {
            rows: rows.length,
            seen: rows.filter(row => row.getBoundingClientRect().bottom <= innerHeight).length,
            scrollWidth: box.scrollWidth,
            clientWidth: box.clientWidth,
        };
    }"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_fifteen_cases_fit_a_laptop_screen_without_sideways_scrolling(
    browser: Any, live_app: tuple[Flask, str], locale: str
) -> None:
    app, base = live_app
    _fill_queue(app, 40)
    secret = make_account(app, "erika", Role.DECIDER, Role.SECURITY_OFFICER)
    desk = browser.new_context(viewport=LAPTOP, locale=locale)
    page = desk.new_page()
    staff_sign_in(page, base, "erika", secret)
    assert page.locator("html").get_attribute("lang") == locale[:2]
    found = {}
    for path in ("/staff/", "/staff/?view=overdue", "/staff/?sort=newest&threat=critical"):
        page.goto(base + path)
        found[path] = _layout(page)
        if os.environ.get("PORTAL_QUEUE_SHOTS"):
            page.screenshot(path=f"{os.environ['PORTAL_QUEUE_SHOTS']}/{locale}{path[7:]}.png")
    # The status choices open over the table, not beside it.
    page.goto(base + "/staff/")
    page.locator(".choices summary").click()
    found["status choices open"] = _layout(page)
    desk.close()
    assert found["/staff/"]["rows"] == 40
    assert found["/staff/"]["seen"] >= 15, found
    assert found["/staff/?view=overdue"]["seen"] >= 15, found
    for path, layout in found.items():
        assert layout["scrollWidth"] <= layout["clientWidth"], (path, layout)
