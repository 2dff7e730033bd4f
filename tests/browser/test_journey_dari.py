"""The whole journey on a cheap phone, in Dari, without JavaScript: apply as former local
staff with three family members and a photo, leave, come back with the access code typed
in Persian digits and small letters, and see that the application was received."""

import io
import re
from typing import Any

import pytest
from PIL import Image

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _photo() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (120, 160), (90, 60, 30)).save(output, format="JPEG")
    return output.getvalue()


class Visit:
    """A phone browsing the portal; every page it sees is checked for language and direction."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base, self.seen = page, base, 0

    def check_page(self) -> None:
        html = self.page.locator("html")
        assert html.get_attribute("lang") == "fa-AF", self.page.url
        assert html.get_attribute("dir") == "rtl", self.page.url
        assert self.page.title() == "خدمات معلوماتی"  # neutral, on every page
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

    def select(self, **selects: str) -> None:
        for name, value in selects.items():
            self.page.select_option(f"select[name={name}]", value)

    def send(self) -> None:
        """Press the page's main button and check where it lands."""
        self.page.locator("main form button[type=submit]").last.click()
        self.check_page()
        assert "error-summary" not in self.page.content(), self.page.url


@pytest.mark.browser
def test_a_local_staff_application_in_dari_on_a_phone(phone: Any, live_server: str) -> None:
    visit = Visit(phone, live_server)
    phone.goto(live_server + "/")
    phone.get_by_role("button", name="دری").click()
    visit.check_page()

    phone.locator("a.button").first.click()  # start a new application
    visit.choose(programme="local_staff", outside_germany="yes", basis="yes")
    visit.send()
    visit.send()  # "start my application"
    codes = phone.locator(".codes dd").all_inner_texts()
    reference, access_code = codes
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){2}", reference)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", access_code)

    visit.go("/application/names")
    visit.fill(
        given_names="زرمینه",
        family_name="احمدزی",
        given_names_latin="Zarmina",
        family_name_latin="Ahmadzai",
    )
    visit.send()
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
    visit.fill(
        place="کمپ مارمل", started_year="2010", started_month="4", ended_year="2014", role="ترجمان"
    )
    visit.send()

    for relation, name, year in (
        ("spouse", "فرشته", "1990"),
        ("child", "احمد", "2015"),
        ("child", "مریم", "2001"),
    ):
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
        visit.choose(
            marital_status="single", lives_with_principal="yes", identity_document="paper_tazkira"
        )
        visit.send()
    family = phone.locator("main").inner_text()
    assert family.count("احمدزی") == 3
    assert "اصلی" in family or "هسته" in family or len(phone.locator(".verdict.core").all()) == 2

    visit.go("/application/documents")
    visit.select(kind="photo")
    phone.set_input_files(
        "input[name=file]",
        files=[{"name": "عکس.jpg", "mimeType": "image/jpeg", "buffer": _photo()}],
    )
    visit.send()
    assert "عکس.jpg" in phone.locator(".documents").inner_text()

    visit.go("/application/declarations")
    phone.check("input[name=truthful]")
    phone.check("input[name=consent]")
    visit.send()  # lands on "check your answers"
    assert "Zarmina Ahmadzai" in phone.locator("main").inner_text()
    visit.send()  # send the application
    assert phone.locator(".confirmation").is_visible()

    # Leave, and come back on the same phone with the code as a person might type it.
    visit.send()  # sign out
    visit.go("/sign-in")
    visit.fill(
        reference=reference.lower(),
        access_code=access_code.lower().translate(PERSIAN).replace("-", " "),
    )
    visit.send()
    visit.go("/case")
    status = phone.locator(".status").inner_text()
    assert status  # the status in plain Dari words
    assert visit.seen >= 25
