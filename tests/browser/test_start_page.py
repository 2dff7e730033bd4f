from typing import Any

import pytest


def _has_no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


@pytest.mark.browser
def test_a_phone_without_javascript_can_switch_to_dari(phone: Any, live_server: str) -> None:
    phone.goto(live_server + "/")
    assert phone.locator("html").get_attribute("dir") == "ltr"
    phone.get_by_role("button", name="دری").click()
    phone.wait_for_url(live_server + "/")
    html = phone.locator("html")
    assert html.get_attribute("lang") == "fa-AF"
    assert html.get_attribute("dir") == "rtl"
    assert phone.get_by_role("heading", level=1).inner_text() == "زبان خود را انتخاب کنید"
    assert phone.title() == "خدمات معلوماتی"  # neutral in every language
    exit_link = phone.get_by_role("link", name="زود از این سایت خارج شوید")
    assert exit_link.is_visible()


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 360])
def test_the_start_page_fits_a_narrow_screen(browser: Any, live_server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 640})
    page = context.new_page()
    page.goto(live_server + "/")
    assert _has_no_horizontal_scroll(page)
    context.close()
