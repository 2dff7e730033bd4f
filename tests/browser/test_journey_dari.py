"""The whole journey on a cheap phone, in Dari, without JavaScript: apply as former local
staff with three family members and a photo, leave, come back with the access code typed
in Persian digits and small letters, and see that the application was received."""

from typing import Any

import pytest

from tests.browser.phone import PERSIAN, Visit, fill_local_staff_application, start_application

DARI = ("fa-AF", "rtl", "خدمات معلوماتی")


@pytest.mark.browser
def test_a_local_staff_application_in_dari_on_a_phone(phone: Any, live_server: str) -> None:
    visit = Visit(phone, live_server, DARI)
    phone.goto(live_server + "/")
    phone.get_by_role("button", name="دری").click()
    visit.check_page()

    reference, access_code = start_application(visit)
    fill_local_staff_application(visit)
    assert "Zarmina Ahmadzai" in phone.locator("main").inner_text()

    visit.go("/application/family")
    assert phone.locator("main").inner_text().count("احمدزی") == 3
    assert len(phone.locator(".verdict.core").all()) == 2  # the spouse and the young child
    assert len(phone.locator(".verdict.hardship").all()) == 1  # the adult daughter
    visit.go("/application/documents")
    assert "عکس.jpg" in phone.locator(".documents").inner_text()

    visit.go("/application/check")
    visit.send()  # send the application
    assert phone.locator(".confirmation").is_visible()

    # Leave, and come back on the same phone with the code as a person might type it.
    visit.send()  # sign out
    visit.go("/sign-in")
    typed = access_code.lower().translate(PERSIAN).replace("-", " ")
    visit.fill(reference=reference.lower(), access_code=typed)
    visit.send()
    visit.go("/case")
    assert phone.locator(".status").inner_text() == "دریافت شد. درخواست شما منتظر بررسی است."
    assert visit.seen >= 25
