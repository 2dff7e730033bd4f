"""Screenshots of every applicant page on a 360 px phone, in one right-to-left and one
left-to-right language, for people who review layout and translations without running the
portal. ``make screenshots`` writes them to screenshots/ (git-ignored) through
tests/browser/test_screenshots.py, which drives the same Chromium as the browser tests.
"""

import re
from pathlib import Path
from typing import Any

from tests.browser.phone import (
    DRAFT_PAGES,
    SUBMITTED_PAGES,
    Visit,
    fill_local_staff_application,
    start_application,
)

LANGUAGES = ("fa_AF", "en")  # Dari: right to left; English: left to right
WIDTH = 360
# Forms sent empty, to show their error summary and messages.
WITH_ERRORS = ["/eligibility", "/application/employment/new", "/application/family/new"]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def slug(what: str) -> str:
    """A page's file name without its number: ``/application/names`` is application-names."""
    return re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-") or "home"


def _name(number: int, what: str) -> str:
    return f"{number:02d}-{slug(what)}.png"


class Camera:
    """A phone that saves a full-page screenshot of each page it is shown."""

    def __init__(self, page: Any, base: str, folder: Path) -> None:
        self.page, self.base, self.folder = page, base, folder
        self.taken: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, what: str) -> None:
        path = self.folder / _name(len(self.taken) + 1, what)
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def go(self, path: str, what: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.shoot(what or path)


def _phone(browser: Any) -> Any:
    return browser.new_context(
        viewport={"width": WIDTH, "height": 740},
        java_script_enabled=False,
        device_scale_factor=1,
        is_mobile=True,
    )


def _choose_language(page: Any, base: str, code: str) -> None:
    page.goto(base + "/")
    page.locator(f"button[name=language][value={code}]").click()


def _ids(page: Any, base: str, path: str, prefix: str) -> list[str]:
    page.goto(base + path)
    hrefs = [link.get_attribute("href") or "" for link in page.locator("main a").all()]
    return sorted({found for href in hrefs for found in re.findall(rf"{prefix}/({UUID})", href)})


def take_screenshots(browser: Any, base: str, folder: Path) -> list[Path]:
    """Every applicant page in each of ``LANGUAGES``, as ``folder/<language>/NN-page.png``."""
    taken = []
    for code in LANGUAGES:
        context = _phone(browser)
        try:
            taken += _one_language(context.new_page(), base, folder / code, code)
        finally:
            context.close()
    return taken


def _one_language(page: Any, base: str, folder: Path, code: str) -> list[Path]:
    camera = Camera(page, base, folder)
    _choose_language(page, base, code)
    visit = Visit(page, base)
    start_application(visit)
    camera.shoot("access code")
    fill_local_staff_application(visit)
    for path in DRAFT_PAGES:
        camera.go(path)
    for job in _ids(page, base, "/application/employment", "/application/employment")[:1]:
        camera.go(f"/application/employment/{job}", "employment job")
    for person in _ids(page, base, "/application/family", "/application/family")[:1]:
        camera.go(f"/application/family/{person}", "family member")
    for path in WITH_ERRORS:
        page.goto(base + path)
        page.locator("main form button[type=submit]").last.click()
        camera.shoot(path + " errors")
    camera.go("/no-such-page", "error page")

    page.goto(base + "/application/check")
    page.locator("main form button[type=submit]").first.click()  # send the application
    camera.shoot("sent")
    for path in SUBMITTED_PAGES:
        camera.go(path)

    # A humanitarian application has its own page: the risk the person faces.
    page.context.clear_cookies()
    _choose_language(page, base, code)
    start_application(Visit(page, base), programme="at_risk")
    camera.go("/application/risk")
    page.goto(base + "/eligibility")
    page.locator("input[name=outside_germany][value=no]").check()
    page.locator("input[name=basis][value=no]").check()
    page.locator("input[name=programme]").first.check()
    page.locator("main form button[type=submit]").last.click()
    camera.shoot("not eligible")
    return camera.taken
