"""No serious or critical axe-core violations (WCAG 2.1 A and AA) on any applicant page, in
English and in every offered right-to-left language, with and without error messages
showing."""

from collections.abc import Iterator
from typing import Any

import pytest

from portal.core.i18n import offered_languages
from tests.browser.axe import serious_violations
from tests.browser.phone import (
    DRAFT_PAGES,
    SUBMITTED_PAGES,
    Visit,
    fill_local_staff_application,
    start_application,
)

# English, and every right-to-left language offered (a language joins once it is offered).
LANGUAGES = ["en"] + [
    language.code for language in offered_languages() if language.direction == "rtl"
]
# Empty forms, sent to check the pages with their error summary and messages showing.
WITH_ERRORS = ["/eligibility", "/application/family/new", "/application/employment/new"]


@pytest.fixture(scope="module")
def signed_in(browser: Any, live_server_module: str) -> Iterator[tuple[Any, str]]:
    # axe runs as a script, so this context allows JavaScript (the pages themselves have none)
    # and bypasses the pages' strict CSP for the injected script only.
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    visit = Visit(context.new_page(), live_server_module)
    start_application(visit)
    fill_local_staff_application(visit)
    yield visit.page, live_server_module
    context.close()


def _set_language(page: Any, base: str, code: str) -> None:
    page.goto(base + "/")
    page.locator(f"button[name=language][value={code}]").click()


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_applicant_pages_have_no_serious_violations(
    signed_in: tuple[Any, str], language: str
) -> None:
    page, base = signed_in
    _set_language(page, base, language)
    problems = {}
    for path in DRAFT_PAGES:
        page.goto(base + path)
        problems[path] = serious_violations(page)
    for path in WITH_ERRORS:
        page.goto(base + path)
        page.locator("main form button[type=submit]:not([name=suggest])").last.click()
        assert page.locator(".error-summary").is_visible()
        problems[path + " (errors)"] = serious_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_after_submitting_have_no_serious_violations(
    signed_in: tuple[Any, str], language: str
) -> None:
    page, base = signed_in
    page.goto(base + "/application/check")
    if page.locator("main form button[type=submit]").count():
        page.locator("main form button[type=submit]").first.click()  # send the application
    _set_language(page, base, language)
    problems = {}
    for path in SUBMITTED_PAGES:
        page.goto(base + path)
        problems[path] = serious_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.browser
def test_every_page_fits_a_320_pixel_screen(signed_in: tuple[Any, str]) -> None:
    page, base = signed_in
    page.set_viewport_size({"width": 320, "height": 640})
    visit = Visit(page, base)
    for language in LANGUAGES:
        _set_language(page, base, language)
        for path in DRAFT_PAGES:
            page.goto(base + path)
            visit.assert_fits_the_screen()
    page.set_viewport_size({"width": 360, "height": 740})
