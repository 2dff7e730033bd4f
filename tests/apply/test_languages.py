"""The whole journey in each applicant language: every page in that language and direction."""

import gettext
import re

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from portal.core.i18n import offered_languages
from tests.apply.journey import Applicant, png
from tests.conftest import AppFactory

TRANSLATIONS = "translations/{}/LC_MESSAGES/messages.po"


def _translated(code: str, text: str, number: int = 1) -> str:
    """The translation of ``text``; of a plural message, its form for ``number``."""
    with open(TRANSLATIONS.format(code), "rb") as handle:
        catalog = read_po(handle, locale=code)
    found = catalog[text].string
    if isinstance(found, tuple):
        return found[gettext.c2py(catalog.plural_expr)(number)]
    return str(found)


@pytest.mark.parametrize("language", offered_languages(), ids=lambda language: language.code)
def test_the_journey_in_every_offered_language(make_app: AppFactory, language) -> None:  # type: ignore[no-untyped-def]
    app: Flask = make_app()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language.html_lang
    applicant = Applicant(client)
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.add_member("child", "احمد", "2015")
    assert applicant.upload(png(), "photo.png").status_code == 302
    applicant.declare()
    assert applicant.submit().status_code == 302
    status = applicant.get("/case").get_data(as_text=True)
    expected = _translated(language.code, "Received. Your application is waiting to be checked.")
    assert expected in status

    pages = [page for page in applicant.pages if "<title>Redirecting...</title>" not in page]
    assert len(pages) >= 12
    for page in pages:
        found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
        assert found and found.groups() == (language.html_lang, language.direction)
