"""The catalogue template is current, and every language has every string translated."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from portal.core.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[str]:
    return {str(message.id) for message in catalog if message.id}


def test_the_template_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    stale = _ids(_read(fresh)) ^ _ids(_read(TRANSLATIONS / "messages.pot"))
    assert not stale, "run `make translations`: the template differs in " + repr(sorted(stale))


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_every_string_is_translated(language) -> None:
    template = _ids(_read(TRANSLATIONS / "messages.pot"))
    catalog = _read(TRANSLATIONS / language.code / "LC_MESSAGES" / "messages.po")
    missing = sorted(
        message_id
        for message_id in template
        if message_id not in catalog or not catalog[message_id].string or catalog[message_id].fuzzy
    )
    assert missing == []
