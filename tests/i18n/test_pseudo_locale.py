"""Every applicant page shows only translated text.

The pages are rendered with a pseudo-translation that wraps every string of the applicants'
catalogue in markers. What is left on a page once the marked text is taken out must be
user data, numbers and codes, or one of the few things below that are translated elsewhere:
anything else is a string the code forgot to mark for translation, which every language
would show in English.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from flask import Flask

from portal import create_app
from portal.core.i18n import LANGUAGES
from tests.i18n.applicant_pages import (
    DRAFT_PAGES,
    HUMANITARIAN_PAGES,
    NEWCOMER_PATHS,
    PAGES,
    SUBMITTED_PAGES,
    TOO_LARGE_PATH,
    ApplicantPages,
    add_error_route,
    forget_state,
    fresh_translations,
)
from tests.i18n.pseudo import pseudo, unmarked, visible_text, write_pseudo_catalogue

ROOT = Path(__file__).resolve().parents[2]
# The pseudo-translation stands in for English: its pages have English's direction and
# number formats, and nothing in English is translated by anything but the catalogue.
PSEUDO_LOCALE = "en"
# References and access codes: shown as they are, in every language.
CODE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2,3}\b")
# Numbers, dates and anything with a digit in it (a document number, a file size).
WORD_WITH_DIGITS = re.compile(r"\S*\d\S*")
LETTER = re.compile(r"[^\W\d_]")
CHOICE_VALUE = re.compile(r"[a-z_]+|[A-Z]{2}")


def _languages() -> set[str]:
    """The languages' names in the picker, each written in its own language so that a
    person finds theirs whatever language the page is in."""
    return {language.native_name for language in LANGUAGES}


def _from_cldr() -> list[str]:
    """Country and month names (the country lists, a place's country, a month-only date):
    they come translated from CLDR (Babel's locale data) in every language; the catalogue
    could not keep 250 names up to date. Longest first, so that no shorter name eats part
    of a longer one."""
    locale = Locale.parse(PSEUDO_LOCALE)
    months = [
        name
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for name in locale.months[context][width].values()
    ]
    return sorted({*locale.territories.values(), *months}, key=len, reverse=True)


def _typed(user_data: set[str]) -> list[str]:
    """What people typed, without the values of choices (``married``, ``AF``, ``y``): those
    are never shown as they are, and taking them out would hide untranslated words."""
    typed = (datum.strip() for datum in user_data)
    return sorted(
        (datum for datum in typed if datum and not CHOICE_VALUE.fullmatch(datum)),
        key=len,
        reverse=True,
    )


def _without(text: str, parts: list[str]) -> str:
    for part in parts:
        text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", " ", text)
    return text


@pytest.fixture(scope="module")
def pseudo_pages(
    base_config: dict[str, Any], _schema: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, tuple[int, str]], set[str]]]:
    folder = tmp_path_factory.mktemp("pseudo-translations")
    template = ROOT / "translations" / "messages.pot"
    write_pseudo_catalogue(template, folder, PSEUDO_LOCALE, "messages")
    with fresh_translations():
        app: Flask = create_app({**base_config, "BABEL_TRANSLATION_DIRECTORIES": str(folder)})
        add_error_route(app)
        pages = ApplicantPages(app)
        yield pages.render(PSEUDO_LOCALE), pages.user_data
    forget_state(app)


def untranslated(html: str, user_data: set[str]) -> list[tuple[str, str]]:
    """The visible texts of a page, with what is allowed taken out, that still hold a word."""
    typed, cldr_names = _typed(user_data), _from_cldr()
    found = []
    for where, text in visible_text(html):
        rest = unmarked(text).strip()
        if rest in _languages():
            continue
        rest = WORD_WITH_DIGITS.sub(" ", CODE.sub(" ", rest))
        rest = _without(_without(rest, typed), cldr_names)
        if LETTER.search(rest):
            found.append((where, " ".join(rest.split())))
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_text_on_the_page_is_translated(
    pseudo_pages: tuple[dict[str, tuple[int, str]], set[str]], page: str
) -> None:
    pages, user_data = pseudo_pages
    status, html = pages[page]
    assert not 300 <= status < 400, "the page was not shown: it redirected"
    assert pseudo("Information service") in html  # the pseudo-translation is in use
    assert untranslated(html, user_data) == []


def test_the_check_finds_a_string_not_marked_for_translation() -> None:
    page = (
        f"<html><head><title>{pseudo('Title')}</title></head><body>"
        f"<p>{pseudo('Your name: %s') % 'Zarmina'}</p><p>ZAAX-HNNZ-A4V3 1987</p>"
        f"<button type=submit>Save</button><input placeholder='{pseudo('Name')}'>"
        "<img alt='A photo'><p>Afghanistan</p></body></html>"
    )
    assert untranslated(page, {"Zarmina"}) == [("<button>", "Save"), ("<img alt>", "A photo")]


def test_every_get_page_of_the_applicants_is_covered(app: Flask) -> None:
    """A new applicant page joins ``PAGES`` (tests/i18n/applicant_pages.py), or fails here."""
    opened = {
        re.sub(r"\{\w+\}", "ID", page.split("?")[0])
        for page in [
            *DRAFT_PAGES,
            *HUMANITARIAN_PAGES,
            *SUBMITTED_PAGES,
            *NEWCOMER_PATHS,
            TOO_LARGE_PATH,
        ]
    }
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("apply.")
        and "GET" in (rule.methods or ())
        and re.sub(r"<[^>]+>", "ID", rule.rule) not in opened
    ]
    assert missing == []
