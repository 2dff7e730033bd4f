"""A name in Dari only, on a phone without JavaScript: one name, a Latin spelling suggested
on request, corrected by the person and kept; the page fits a 320 px screen right to left."""

from typing import Any

import pytest

from tests.browser.phone import Visit, start_application

DARI = ("fa-AF", "rtl", "خدمات معلوماتی")


@pytest.mark.browser
def test_a_single_dari_name_with_a_suggested_latin_spelling(phone: Any, live_server: str) -> None:
    phone.set_viewport_size({"width": 320, "height": 740})
    visit = Visit(phone, live_server, DARI)
    phone.goto(live_server + "/")
    phone.get_by_role("button", name="دری").click()
    start_application(visit)

    visit.go("/application/names")
    visit.fill(given_names="زرمینه\u200cگل")
    phone.get_by_role("button", name="پیشنهاد املای لاتین").click()
    visit.check_page()
    assert phone.input_value("[name=given_names_latin]") == "Zarminagul"
    assert phone.input_value("[name=family_name_latin]") == ""
    assert "ما یک املای نام به حروف لاتین پیشنهاد کردیم." in phone.locator("main").inner_text()

    visit.fill(given_names_latin="Zarmina Gul")
    visit.send()
    assert phone.url.endswith("/application/birth")
    visit.go("/application/check")
    text = phone.locator("main").inner_text()
    assert "زرمینه\u200cگل" in text and "Zarmina Gul" in text
