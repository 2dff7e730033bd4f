"""Every applicant page, in every offered language, says which language and direction it is
in on its <html> element, and is in that language: a right-to-left page marked "ltr" lays
out backwards, and a page marked with the wrong language is read out by a screen reader
with the wrong voice."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from babel.messages.pofile import read_po

from portal import create_app
from portal.core.i18n import Language, offered_languages
from tests.i18n.applicant_pages import (
    PAGES,
    ApplicantPages,
    add_error_route,
    forget_state,
    fresh_translations,
)

HTML_ELEMENT = re.compile(r"<html lang=\"([^\"]+)\" dir=\"([^\"]+)\">")


@pytest.fixture(scope="module")
def rendered(base_config: dict[str, Any], _schema: None) -> Iterator[dict[str, Any]]:
    """Every page in every offered language, from one app with one set of cases."""
    with fresh_translations():
        app = create_app(base_config)
        add_error_route(app)
        pages = ApplicantPages(app)
        yield {language.code: pages.render(language.code) for language in offered_languages()}
    forget_state(app)


def _title(code: str) -> str:
    with open(f"translations/{code}/LC_MESSAGES/messages.po", "rb") as handle:
        return str(read_po(handle)["Information service"].string)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", offered_languages(), ids=lambda language: language.code)
def test_the_page_is_in_the_language_and_direction(
    rendered: dict[str, Any], language: Language, page: str
) -> None:
    status, html = rendered[language.code][page]
    assert not 300 <= status < 400, "the page was not shown: it redirected"
    found = HTML_ELEMENT.search(html)
    assert found and found.groups() == (language.html_lang, language.direction)
    assert f"<title>{_title(language.code)}</title>" in html
