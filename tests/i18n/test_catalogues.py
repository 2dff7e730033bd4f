"""The catalogue templates are current, every offered language has every string translated,
and every translation that exists keeps its placeholders, tags and plural forms.

Two catalogues: "messages" (what applicants see) in every applicant language, and
"staff" (staff screens and staff-only texts) in German and English.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message, TranslationError
from babel.messages.checkers import num_plurals, python_format
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from portal.core.i18n import LANGUAGES, STAFF_LANGUAGES, Language, offered_languages

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
# The same configuration and keywords as `make translations`.
EXTRACTION = {
    "messages": ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"],
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
# Every catalogue there is, offered or not: what is translated already must be right.
EVERY_CATALOGUE = [("messages", language.code) for language in LANGUAGES] + [
    ("staff", code) for code in STAFF_LANGUAGES
]
# %(name)s, %s and %% placeholders, as Python's % operator reads them.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGcu%]")
# An HTML tag with its attributes, or an entity.
MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>|&[a-zA-Z]+;|&#\d+;")


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


def _translated(catalog: Catalog) -> list[Message]:
    return [
        message
        for message in catalog
        if message.id
        and any(message.string if isinstance(message.string, tuple) else [message.string])
    ]


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _catalogue(domain: str, code: str) -> Catalog:
    return _read(TRANSLATIONS / code / "LC_MESSAGES" / f"{domain}.po")


def placeholder_problems(catalog: Catalog) -> list[tuple[object, str]]:
    """Translations without exactly the placeholders of their message: one missing or
    misspelt would show the reader a raw "%(count)s", or fail the page with a KeyError. A
    plural form may leave the number out (Arabic's forms for one and for two name no
    number), but all of them together use every placeholder, and none uses another."""
    wrong = []
    for message in _translated(catalog):
        try:
            python_format(catalog, message)  # Babel's own check: kinds and types compatible
        except TranslationError as error:
            wrong.append((message.id, str(error)))
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        forms = [set(PLACEHOLDER.findall(form)) for form in _forms(message)]
        if message.pluralizable:
            if set().union(*forms) != wanted or any(form - wanted for form in forms):
                wrong.append((message.id, repr(forms)))
        elif forms[0] != wanted:
            wrong.append((message.id, repr(forms[0])))
    return wrong


def markup_problems(catalog: Catalog) -> list[tuple[object, str]]:
    """Translations without the same tags and entities as their message (a dropped
    </strong> bolds the rest of the page; a translated attribute breaks a link)."""
    return [
        (message.id, form)
        for message in _translated(catalog)
        for form in _forms(message)
        if sorted(MARKUP.findall(form))
        != sorted(MARKUP.findall(message.id if isinstance(message.id, str) else message.id[0]))
    ]


def plural_problems(catalog: Catalog, code: str) -> list[tuple[object, str]]:
    """A plural rule other than the language's (CLDR's, as Babel knows it), and plural
    messages without one form per case of the catalogue's rule."""
    rule = get_plural(code)
    wrong: list[tuple[object, str]] = []
    if (catalog.num_plurals, catalog.plural_expr) != (rule.num_plurals, rule.plural_expr):
        wrong.append(("Plural-Forms", f"{catalog.plural_forms}, not {rule.plural_forms}"))
    for message in _translated(catalog):
        try:
            num_plurals(catalog, message)
        except TranslationError as error:
            wrong.append((message.id, str(error)))
    return wrong


@pytest.mark.parametrize(("domain", "code"), EVERY_CATALOGUE, ids=lambda value: value)
def test_translations_keep_the_placeholders(domain: str, code: str) -> None:
    assert placeholder_problems(_catalogue(domain, code)) == []


@pytest.mark.parametrize(("domain", "code"), EVERY_CATALOGUE, ids=lambda value: value)
def test_translations_keep_the_markup(domain: str, code: str) -> None:
    assert markup_problems(_catalogue(domain, code)) == []


@pytest.mark.parametrize(("domain", "code"), EVERY_CATALOGUE, ids=lambda value: value)
def test_plural_forms_fit_the_language(domain: str, code: str) -> None:
    assert plural_problems(_catalogue(domain, code), code) == []


def test_the_checks_find_broken_translations() -> None:
    catalog = Catalog(locale="ru")
    catalog.add("%(count)s people", "%(num)s человек", flags=["python-format"])
    catalog.add("Hello %(name)s", "Привет", flags=["python-format"])
    catalog.add("Good %(name)s", "Хорошо %(name)s", flags=["python-format"])
    catalog.add("<strong>Keep</strong> this", "<strong>Сохраните это")
    catalog.add('<a href="/">Start</a>', '<a href="/">Начало</a>')
    catalog.add(("%(num)s file", "%(num)s files"), ("%(num)s файл", "%(num)s файла"))
    catalog.add(("%(num)s day", "%(num)s days"), ("день", "дня", "дней"))
    assert [problem[0] for problem in placeholder_problems(catalog)] == [
        "%(count)s people",
        "Hello %(name)s",
        ("%(num)s day", "%(num)s days"),
    ]
    assert [problem[0] for problem in markup_problems(catalog)] == ["<strong>Keep</strong> this"]
    assert [problem[0] for problem in plural_problems(catalog, "ru")] == [
        ("%(num)s file", "%(num)s files")
    ]
    assert plural_problems(Catalog(locale="en"), "ar")[0][0] == "Plural-Forms"


CALENDARS = ("Gregorian", "Solar Hijri")


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_no_translation_names_a_calendar_its_message_leaves_open(code: str) -> None:
    """A year field labelled "Gregorian year" under a form whose chosen calendar is Solar
    Hijri has people type the year in the wrong calendar: the calendar is the form's
    choice, and only messages that name one may name it."""
    catalog = _catalogue("messages", code)
    names = [catalog[calendar].string for calendar in CALENDARS if catalog.get(calendar)]
    wrong = [
        message.id
        for message in _translated(catalog)
        if not any(calendar in str(message.id) for calendar in CALENDARS)
        and any(name and name in form for name in names for form in _forms(message))
    ]
    assert wrong == []


# Messages whose Latin digits are what the reader types: a country code, and an example
# that digits may be typed either way.
LATIN_DIGITS_ON_PURPOSE = (
    "This does not look like a phone number.",
    "You can type the letters in small or capital letters",
)


@pytest.mark.parametrize("code", ["fa_AF", "fa", "ps", "ar"])
def test_translations_write_numbers_in_their_languages_digits(code: str) -> None:
    """The portal writes Dari, Farsi, Pashto and Arabic numbers in their own digits
    (``core.numerals``); a "30" or "18" typed into a translation stood beside ۱۳۶۹ on the
    same page."""
    wrong = [
        message.id
        for message in _translated(_catalogue("messages", code))
        if not str(message.id).startswith(LATIN_DIGITS_ON_PURPOSE)
        and any(
            re.search(r"[0-9]", MARKUP.sub("", PLACEHOLDER.sub("", form)))
            for form in _forms(message)
        )
    ]
    assert wrong == []


@pytest.mark.parametrize(("domain", "code"), EVERY_CATALOGUE, ids=lambda value: value)
def test_no_translation_is_fuzzy(domain: str, code: str) -> None:
    """A fuzzy translation is a guess (for a message that changed): gettext leaves it out,
    so the page shows English. It is checked and confirmed, or translated again."""
    catalog = _catalogue(domain, code)
    assert [message.id for message in catalog if message.id and message.fuzzy] == []


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_a_language_is_offered_only_when_its_catalogue_is_complete(language: Language) -> None:
    """Offering a language whose catalogue misses strings would show its readers English
    in the middle of a page; LANGUAGES marks it offered only once it is complete."""
    template = _read(TRANSLATIONS / "messages.pot")
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in _translated(_catalogue("messages", language.code))
        if not message.fuzzy and all(_forms(message))
    }
    missing = _ids(template) - translated
    if not language.offered:
        pytest.skip(f"not offered: {len(missing)} of {len(_ids(template))} strings missing")
    assert sorted(missing) == []


def test_make_translations_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    """`make translations` on a copy of the catalogues: a later run leaves every template
    and catalogue as the one before left it (no new creation date, nothing reordered), so
    that running it never makes a change to commit when no message changed."""
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))

    def run() -> None:
        subprocess.run(
            ["make", "-s", "translations", f"LOCALES_DIR={copy}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def files() -> dict[str, bytes]:
        return {
            str(path.relative_to(copy)): path.read_bytes()
            for path in sorted(copy.rglob("*"))
            if path.suffix in (".po", ".pot")
        }

    run()
    # As if the first run had been a day earlier: the second must not date anything anew.
    for name in files():
        path = copy / name
        path.write_bytes(
            re.sub(
                rb"POT-Creation-Date: [^\\]+",
                b"POT-Creation-Date: 2000-01-01 00:00+0000",
                path.read_bytes(),
            )
        )
    before = files()
    run()
    assert files() == before
