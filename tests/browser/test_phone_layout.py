"""A 320 px phone in Dari without JavaScript: the date boxes on one row, the codes on one
line each, the file input labelled by the page, and the receipt page printable."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.phone import Visit, phone_page, photo, start_application

DARI = ("fa-AF", "rtl", "خدمات معلوماتی")


@pytest.fixture
def narrow_phone(browser: Any) -> Iterator[Any]:
    # The phone's own language is not the page's.
    with phone_page(browser, 320, 640, locale="en-US") as page:
        yield page


def _line_height(element: Any) -> float:
    return float(element.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))


@pytest.mark.browser
def test_a_320_px_phone_in_dari(narrow_phone: Any, live_server: str) -> None:
    visit = Visit(narrow_phone, live_server, DARI)
    narrow_phone.goto(live_server + "/")
    narrow_phone.get_by_role("button", name="دری").click()
    visit.check_page()
    reference, access_code = start_application(visit)  # the receipt page, checked to fit

    codes = narrow_phone.locator(".codes .code").all()
    for code, text in zip(codes, (reference, access_code), strict=True):
        box = code.bounding_box()
        assert code.inner_text() == text
        assert box["height"] < 1.5 * _line_height(code), text  # one line, never broken
    reloaded = narrow_phone.reload()
    assert reloaded is not None and reloaded.status == 200
    assert access_code in narrow_phone.locator(".codes").inner_text()

    visit.go("/application/birth")
    tops = [
        narrow_phone.locator(f"input[name={name}]").bounding_box()["y"]
        for name in ("birth_day", "birth_month", "birth_year")
    ]
    assert max(tops) - min(tops) < 2, tops

    visit.go("/application/documents")
    chooser = narrow_phone.locator("label.file-button")
    assert chooser.inner_text() == "یک فایل انتخاب کنید" and chooser.is_visible()
    assert not narrow_phone.locator(".file-chosen").is_visible()
    chooser.click()  # a label of the page opens the browser's file chooser
    narrow_phone.set_input_files(
        "input[name=file]", files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    assert narrow_phone.locator(".file-chosen").is_visible()
    narrow_phone.select_option("select[name=kind]", "photo")
    visit.send()
    assert "a.jpg" in narrow_phone.locator(".documents").inner_text()

    visit.go("/application/receipt")
    narrow_phone.emulate_media(media="print")
    assert narrow_phone.locator(".codes").is_visible()
    assert not narrow_phone.locator(".quick-exit").is_visible()
    assert not narrow_phone.locator("a.button").is_visible()


@pytest.mark.browser
def test_long_values_wrap_on_a_320_px_phone_and_lists_count_in_dari(
    narrow_phone: Any, live_server: str
) -> None:
    """A long e-mail address or file name made the documents and check pages wider than
    the phone, which then zooms every text out; numbered lists counted 1. 2. 3. on pages
    that write ۱ ۲ ۳."""
    visit = Visit(narrow_phone, live_server, DARI)  # every page checked to fit
    narrow_phone.goto(live_server + "/")
    narrow_phone.get_by_role("button", name="دری").click()
    start_application(visit)
    steps = narrow_phone.locator("main ol").first
    assert steps.evaluate("list => getComputedStyle(list).listStyleType") == "persian"

    visit.go("/application/contact")
    visit.fill(phone="+93 799 123 456", email="mohammadkarim.ahmadi.kabul1985@example.org")
    visit.send()
    visit.go("/application/family/new")
    visit.select(relation="child")
    visit.fill(
        given_names="عبدالرحمن" * 6,  # one word, longer than the phone is wide
        family_name="احمدزی",
        given_names_latin="Abdulrahman",
        family_name_latin="Ahmadzai",
        birth_year="۱۳۹۴",
        document_number="TZ-99",
    )
    visit.choose(
        marital_status="single", lives_with_principal="yes", identity_document="paper_tazkira"
    )
    visit.send()
    visit.go("/application/documents")
    long_name = "IMG_20231105_143522_HDR_tazkira_scan_copy_of_the_original.jpg"
    narrow_phone.set_input_files(
        "input[name=file]", files=[{"name": long_name, "mimeType": "image/jpeg", "buffer": photo()}]
    )
    narrow_phone.select_option("select[name=kind]", "photo")
    visit.send()
    assert long_name in narrow_phone.locator(".documents").inner_text()
    visit.go("/application/family")
    visit.go("/application/check")
    assert "kabul1985" in narrow_phone.locator("main").inner_text()
