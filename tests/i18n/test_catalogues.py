"""The catalogue templates are current, and every language has every string translated.

Two catalogues: "messages" (what applicants see) in every applicant language, and
"staff" (staff screens and staff-only texts) in German and English.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from portal.core.i18n import STAFF_LANGUAGES, offered_languages

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
# The same configuration and keywords as `make translations`.
EXTRACTION = {
    "messages": ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext"],
    "staff": [
        "-F",
        "babel-staff.cfg",
        "--no-default-keywords",
        "-k",
        "_s",
        "-k",
        "_ls",
        "-k",
        "ngettext_s:1,2",
    ],
}
CATALOGUES = [("messages", language.code) for language in offered_languages()] + [
    ("staff", code) for code in STAFF_LANGUAGES
]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[str]:
    return {
        str(message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id
    }


@pytest.mark.parametrize("domain", EXTRACTION)
def test_the_template_matches_the_code(tmp_path: Path, domain: str) -> None:
    fresh = tmp_path / f"{domain}.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            *EXTRACTION[domain],
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    stale = _ids(_read(fresh)) ^ _ids(_read(TRANSLATIONS / f"{domain}.pot"))
    assert not stale, "run `make translations`: the template differs in " + repr(sorted(stale))


@pytest.mark.parametrize(("domain", "code"), CATALOGUES, ids=lambda value: value)
def test_every_string_is_translated(domain: str, code: str) -> None:
    template = _read(TRANSLATIONS / f"{domain}.pot")
    catalog = _read(TRANSLATIONS / code / "LC_MESSAGES" / f"{domain}.po")
    missing = sorted(
        str(message.id)
        for message in template
        if message.id
        and (
            message.id not in catalog
            or not all(
                catalog[message.id].string
                if isinstance(catalog[message.id].string, tuple)
                else [catalog[message.id].string]
            )
            or catalog[message.id].fuzzy
        )
    )
    assert missing == []
