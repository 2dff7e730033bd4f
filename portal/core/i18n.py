"""The portal's languages and how a request's language is chosen."""

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import g, request, session
from flask_babel import Domain


@dataclass(frozen=True)
class Language:
    code: str  # a Babel locale identifier, also the translations/ folder name
    native_name: str  # what a speaker looks for in the list, in their own script
    # Offered to applicants only once every page is translated (tests/i18n checks that).
    offered: bool = True

    @property
    def direction(self) -> str:
        return _direction(self.code)

    @property
    def html_lang(self) -> str:
        return self.code.replace("_", "-")


# Shown in this order. Dari is "fa_AF": CLDR calls it "Persian (Afghanistan)", but speakers
# look for the name they use themselves, so native names are written out here.
LANGUAGES = (
    Language("fa_AF", "دری"),
    Language("ps", "پښتو"),
    Language("fa", "فارسی"),
    Language("ar", "العربية"),
    Language("ru", "Русский"),
    Language("tr", "Türkçe"),
    Language("uk", "Українська"),
    Language("en", "English"),
    Language("de", "Deutsch"),
)
BY_CODE = {language.code: language for language in LANGUAGES if language.offered}


def offered_languages() -> list[Language]:
    return [language for language in LANGUAGES if language.offered]


DEFAULT = "en"
SESSION_KEY = "lang"


@cache
def _direction(code: str) -> str:
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def select_locale() -> str:
    """The language the person chose, else the best match for their browser."""
    if is_staff_request():
        return select_staff_locale()
    chosen = session.get(SESSION_KEY)
    if chosen in BY_CODE:
        return str(chosen)
    matches = [language.html_lang for language in offered_languages()]
    best = request.accept_languages.best_match(matches) if request else None
    return best.replace("-", "_") if best else DEFAULT


def current_language() -> Language:
    from flask_babel import get_locale

    locale = get_locale()
    code = str(locale) if locale else DEFAULT
    return BY_CODE.get(code) or BY_CODE.get(code.split("_")[0]) or BY_CODE[DEFAULT]


# Staff screens and staff-only texts (screening reasons, review) have their own catalogue,
# "staff", kept in the staff languages only; the applicants' "messages" catalogue is kept
# complete in every applicant language.
STAFF_LANGUAGES = ("de", "en")
staff_domain = Domain(domain="staff")
_s = staff_domain.gettext
_ls = staff_domain.lazy_gettext
ngettext_s = staff_domain.ngettext

# Every staff page lives under this path (the staff blueprints and the staff cookie).
STAFF_PATH = "/staff"


def is_staff_request() -> bool:
    return bool(request) and (
        request.path == STAFF_PATH or request.path.startswith(STAFF_PATH + "/")
    )


def select_staff_locale() -> str:
    """The signed-in person's chosen staff language, else their browser's among the staff
    languages (never an applicant language the staff catalogue does not have)."""
    chosen = getattr(g.get("staff"), "language", None)
    if chosen in STAFF_LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(STAFF_LANGUAGES) or DEFAULT
