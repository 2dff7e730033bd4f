"""A phone browsing the portal, and the steps of an application, for tests and benchmarks."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PIL import Image

from tests.i18n import applicant_pages


@contextmanager
def phone_page(browser: Any, width: int, height: int, **options: Any) -> Iterator[Any]:
    """A page on a phone's screen with JavaScript off: every page must work without it."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        java_script_enabled=False,
        device_scale_factor=2,
        is_mobile=True,
        **options,
    )
    yield context.new_page()
    context.close()


PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# Every applicant page the browser opens at a fixed address (for budgets and checks): one
# job's or one family member's page, and the receipt shown once after sending, are not.
DRAFT_PAGES = [path for path in applicant_pages.DRAFT_PAGES if "{" not in path]
SUBMITTED_PAGES = [path for path in applicant_pages.SUBMITTED_PAGES if "?" not in path]


def photo() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (120, 160), (90, 60, 30)).save(output, format="JPEG")
    return output.getvalue()


class Visit:
    """A phone browsing the portal; every page it sees is checked for language and direction."""

    def __init__(self, page: Any, base: str, language: tuple[str, str, str] | None = None) -> None:
        """``language``: the expected (lang, dir, title) of every page, or None not to check."""
        self.page, self.base, self.language, self.seen = page, base, language, 0

    def check_page(self) -> None:
        if self.language is None:
            return
        html = self.page.locator("html")
        assert html.get_attribute("lang") == self.language[0], self.page.url
        assert html.get_attribute("dir") == self.language[1], self.page.url
        assert self.page.title() == self.language[2]  # neutral, on every page
        self.assert_fits_the_screen()
        self.seen += 1

    def assert_fits_the_screen(self) -> None:
        """Nothing sticks out sideways: a phone must never need scrolling to the side."""
        width = self.page.viewport_size["width"]
        for element in self.page.locator("body *").all():
            box = element.bounding_box()
            if box and box["width"]:
                assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1, (
                    self.page.url,
                    str(element),
                )

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check_page()

    def fill(self, **fields: str) -> None:
        for name, value in fields.items():
            self.page.fill(f"[name={name}]", value)

    def choose(self, **radios: str) -> None:
        for name, value in radios.items():
            self.page.check(f"input[name={name}][value={value}]")

    def choose_calendar(self, **radios: str) -> None:
        """Choose a date's calendar where the language offers two (elsewhere it is fixed)."""
        for name, value in radios.items():
            if self.page.locator(f"input[name={name}][type=radio]").count():
                self.choose(**{name: value})

    def select(self, **selects: str) -> None:
        for name, value in selects.items():
            self.page.select_option(f"select[name={name}]", value)

    def send(self) -> None:
        """Press the page's main button and check where it lands (not the button that
        suggests a Latin spelling, which comes after it)."""
        # Every press loads a new page (no JavaScript): wait until it is read, or what comes
        # next (is there a calendar question?) may look at the page being left.
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.page.locator("main form button[type=submit]:not([name=suggest])").last.click()
        self.check_page()
        assert "error-summary" not in self.page.content(), self.page.url


def start_application(visit: Visit, programme: str = "local_staff") -> tuple[str, str]:
    """Answer the eligibility questions and start; return the reference and access code."""
    visit.go("/eligibility")
    visit.choose(programme=programme, outside_germany="yes", basis="yes")
    visit.send()
    visit.send()  # "start my application"
    reference, access_code = visit.page.locator(".codes .code").all_inner_texts()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){2}", reference)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", access_code)
    return reference, access_code


FAMILY = (("spouse", "فرشته", "1990"), ("child", "احمد", "2015"), ("child", "مریم", "2001"))


def fill_local_staff_application(visit: Visit) -> None:
    """Every section of a local-staff application, three family members and a photo."""
    page = visit.page
    visit.go("/application/names")
    visit.fill(
        given_names="زرمینه",
        family_name="احمدزی",
        given_names_latin="Zarmina",
        family_name_latin="Ahmadzai",
    )
    visit.send()
    visit.choose_calendar(birth_calendar="gregorian")  # (Solar Hijri: test_dates_rtl.py)
    visit.fill(birth_year="۱۹۸۷", birth_month="۳", place_of_birth="مزار شریف")
    visit.select(nationality="AF")
    visit.choose(marital_status="married")
    visit.send()
    visit.select(country_of_stay="AF")
    visit.fill(place_of_stay="کابل")
    visit.send()
    visit.fill(phone="۰۷۰۰ ۱۲۳ ۴۵۶")
    visit.send()

    visit.go("/application/identity")
    visit.choose(identity_document="e_tazkira")
    visit.fill(document_number="1400-0101-23456")
    visit.send()

    visit.go("/application/employment/new")
    visit.select(employer="bundeswehr")
    visit.choose_calendar(calendar="gregorian")
    visit.fill(
        place="کمپ مارمل", started_year="2010", started_month="4", ended_year="2014", role="ترجمان"
    )
    visit.send()

    for relation, name, year in FAMILY:
        visit.go("/application/family/new")
        visit.select(relation=relation)
        visit.fill(
            given_names=name,
            family_name="احمدزی",
            given_names_latin="Latin",
            family_name_latin="Ahmadzai",
            birth_year=year,
            document_number="TZ-99",
        )
        visit.choose_calendar(birth_calendar="gregorian")
        visit.choose(
            marital_status="single",
            lives_with_principal="yes",
            identity_document="paper_tazkira",
        )
        visit.send()

    visit.go("/application/documents")
    visit.select(kind="photo")
    page.set_input_files(
        "input[name=file]", files=[{"name": "عکس.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    visit.send()

    visit.go("/application/declarations")
    page.check("input[name=truthful]")
    page.check("input[name=consent]")
    visit.send()  # lands on "check your answers"
