"""The fixed choices applicants pick from, with texts in their language."""

from collections.abc import Sequence
from functools import cache, reduce

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.cases.states import DocumentKind, IdentityDocument, Programme, Relationship

PROGRAMMES = [
    (Programme.LOCAL_STAFF, _l("I worked for a German institution (local staff)")),
    (Programme.AT_RISK, _l("I am at risk and apply for a humanitarian visa")),
]
RELATIONSHIPS = [
    (Relationship.SPOUSE, _l("Husband or wife")),
    (Relationship.REGISTERED_PARTNER, _l("Registered partner")),
    (Relationship.CHILD, _l("Son or daughter")),
    (Relationship.PARENT, _l("Mother or father")),
    (Relationship.SIBLING, _l("Brother or sister")),
    (Relationship.OTHER, _l("Other relative")),
]
IDENTITY_DOCUMENTS = [
    (IdentityDocument.PASSPORT, _l("Passport")),
    (IdentityDocument.E_TAZKIRA, _l("Electronic tazkira")),
    (IdentityDocument.PAPER_TAZKIRA, _l("Paper tazkira")),
    (IdentityDocument.NATIONAL_ID, _l("National identity card")),
    (IdentityDocument.OTHER, _l("Another document")),
    (IdentityDocument.NONE, _l("I have no identity document")),
]
MARITAL_STATUSES = [
    ("single", _l("Not married")),
    ("married", _l("Married")),
    ("widowed", _l("Widowed")),
    ("divorced", _l("Divorced")),
]
EMPLOYERS = [
    ("bundeswehr", _l("German armed forces (Bundeswehr)")),
    ("federal_foreign_office", _l("Federal Foreign Office or an embassy")),
    ("federal_police", _l("German federal police project")),
    ("giz", _l("GIZ")),
    ("kfw", _l("KfW")),
    ("bmz_funded", _l("Another organisation funded by the BMZ")),
    ("political_foundation", _l("A German political foundation")),
    ("other", _l("Another German institution")),
]
RISK_PROFILES = [
    ("journalist", _l("Journalist or media worker")),
    ("human_rights_defender", _l("Human rights defender")),
    ("womens_rights_activist", _l("Women's rights activist")),
    ("judge_prosecutor", _l("Judge or prosecutor")),
    ("lgbtqi", _l("LGBTQI+")),
    ("minority", _l("Member of a religious or ethnic minority")),
    ("politician_official", _l("Politician or public official")),
    ("military_police", _l("Member of the military or police")),
    ("academic_artist", _l("Academic or artist")),
    ("other", _l("Another reason")),
]
DOCUMENT_KINDS = [
    (DocumentKind.IDENTITY, _l("Identity document")),
    (DocumentKind.PHOTO, _l("Photo")),
    (DocumentKind.EMPLOYMENT, _l("Proof of employment")),
    (DocumentKind.THREAT_EVIDENCE, _l("Evidence of the threat")),
    (DocumentKind.FAMILY, _l("Family document (marriage, birth)")),
    (DocumentKind.OTHER, _l("Other document")),
]
# Listed first: where applicants come from and stay.
COMMON_COUNTRIES = ("AF", "IR", "PK", "SY", "TR", "RU", "BY", "UA", "IQ", "TJ", "UZ", "DE")


@cache
def _countries(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).territories
    # Two-letter codes are countries; numeric ones are regions, ZZ/EU/UN are not states.
    countries = {
        code: name
        for code, name in names.items()
        if len(code) == 2
        and code.isalpha()
        and code not in {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
    }
    first = [(code, countries[code]) for code in COMMON_COUNTRIES]
    rest = sorted(
        ((code, name) for code, name in countries.items() if code not in COMMON_COUNTRIES),
        key=lambda item: item[1],
    )
    return first + rest


def countries() -> list[tuple[str, str]]:
    return _countries(str(get_locale() or "en"))


def label(choices: list, value: object) -> str:
    """The text of one choice, for check-your-answers pages."""
    return str(dict(choices).get(value, value or ""))


def labels(choices: list, values: list) -> str:
    return spoken_list([label(choices, value) for value in values])


def spoken_list(items: list[str]) -> str:
    """Items joined as the page's language writes a list ("A, B and C"; in Dari "A، B و C"),
    not with a Latin comma inside right-to-left text."""
    return format_list([item for item in items if item], locale=str(get_locale() or "en"))


def isolated_list(values: Sequence[object], *, conjunction: bool = True) -> Markup:
    """Values joined as the page's language writes a list, each in its own ``<bdi>``, so
    that none is laid out in its neighbours' direction: on a Dari page a list around one
    isolate read "+93 799 123 456" as "456 123 799 93+". A value given as ``(text,
    "ltr")`` reads left to right whatever the page (phone numbers, e-mail addresses).
    Without ``conjunction`` the values are only separated, with no "and" before the last
    (role، place، dates), by the same separator as the language's lists."""
    code = str(get_locale() or "en")
    isolates = [
        Markup('<bdi dir="{}">{}</bdi>').format(direction, text)
        for text, direction in (
            value if isinstance(value, tuple) else (value, "auto") for value in values
        )
        if text
    ]
    # The pattern is the locale's (with its own marks); the values go in escaped.
    slots = [f"\x00{index}\x00" for index in range(len(isolates))]
    if conjunction or len(slots) < 2:
        joined = format_list(slots, locale=code) if slots else ""
    else:
        middle = Locale.parse(code).list_patterns["standard"]["middle"]
        joined = reduce(middle.format, slots)
    written = escape(joined)
    for slot, isolate in zip(slots, isolates, strict=True):
        written = written.replace(slot, isolate)
    return written
