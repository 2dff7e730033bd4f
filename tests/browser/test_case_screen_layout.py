"""The case screen on a consular desktop (1280x720), in German: where the case stands and
the first thing to do are on the first screen, without scrolling, and nothing is wider than
the window."""

from typing import Any

import pytest
from flask import Flask

from portal.core.actors import Role
from portal.extensions import db
from tests.browser.staff import make_account, staff_sign_in
from tests.factories import make_case, put_watchlist_in_force
from tests.review.conftest import through_intake
from tests.review.test_case_screen import WATCHLIST

WIDTH, HEIGHT = 1280, 720


def _within_first_screen(page: Any, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (selector, box)


@pytest.mark.browser
@pytest.mark.parametrize(
    ("roles", "listed", "first_action"),
    [
        ((Role.DECIDER,), False, "Vorgang übernehmen"),
        ((Role.SECURITY_OFFICER,), True, "Ergebnis der Sicherheitsprüfung"),
    ],
)
def test_the_band_and_the_first_action_are_on_the_first_screen(
    browser: Any,
    live_app: tuple[Flask, str],
    roles: tuple[Role, ...],
    listed: bool,
    first_action: str,
) -> None:
    app, base = live_app
    with app.app_context():
        # On the watch list or not: a hit makes the screening the officer's first step.
        put_watchlist_in_force(db.session, *([WATCHLIST] if listed else []))
        case, _code = make_case(db.session)
        case = through_intake(case)
    secret = make_account(app, "erika", *roles)
    desk = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="de-DE")
    page = desk.new_page()
    staff_sign_in(page, base, "erika", secret)
    page.goto(f"{base}/staff/cases/{case.id}")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.evaluate("window.scrollY") == 0
    _within_first_screen(page, ".band")
    _within_first_screen(page, "form.act")
    assert page.locator("form.act h3").first.inner_text() == first_action
    _within_first_screen(page, "form.act button[type=submit]")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"
    desk.close()
