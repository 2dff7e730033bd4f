"""The whole journey on a cheap 320 px phone without JavaScript, in Dari, Pashto, Arabic and
Russian: apply as former local staff with three family members and a photo, leave, come back
with the access code typed in the language's own digits and small letters, and see that the
application was received. A language not offered yet is skipped, saying so, and runs once
it is offered (portal/core/i18n.py)."""

from typing import Any

import pytest
from babel.messages.pofile import read_po

from portal.core.i18n import LANGUAGES, Language
from tests.browser.phone import PERSIAN, Visit, fill_local_staff_application, start_application

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# The journey's languages, with the digits their keyboards type.
JOURNEYS = {"fa_AF": PERSIAN, "ps": PERSIAN, "ar": ARABIC_INDIC, "ru": None}
BY_CODE = {language.code: language for language in LANGUAGES}


def _translated(code: str, text: str) -> str:
    with open(f"translations/{code}/LC_MESSAGES/messages.po", "rb") as handle:
        return str(read_po(handle)[text].string)


@pytest.fixture(params=JOURNEYS, ids=str)
def language(request: pytest.FixtureRequest) -> Language:
    language = BY_CODE[request.param]
    if not language.offered:
        pytest.skip(f"{language.code} is not offered yet (portal/core/i18n.py)")
    return language


@pytest.mark.browser
def test_a_local_staff_application_on_a_narrow_phone(
    narrow_phone: Any, live_server: str, language: Language
) -> None:
    phone = narrow_phone
    title = _translated(language.code, "Information service")
    visit = Visit(phone, live_server, (language.html_lang, language.direction, title))
    phone.goto(live_server + "/")
    phone.get_by_role("button", name=language.native_name).click()
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
    typed = access_code.lower().replace("-", " ")
    digits = JOURNEYS[language.code]
    visit.fill(
        reference=reference.lower(), access_code=typed.translate(digits) if digits else typed
    )
    visit.send()
    visit.go("/case")
    received = _translated(language.code, "Received. Your application is waiting to be checked.")
    assert phone.locator(".status").inner_text() == received
    assert visit.seen >= 25
