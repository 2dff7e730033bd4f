"""The portal's languages and how a request's language is chosen."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale
from flask import g, request, session
from flask_babel import Domain, get_translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup


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


# --- translated strings in templates --------------------------------------------------------

_TEMPLATE_STRINGS = "_portal_template_strings"
_TEMPLATE_CATALOGUE = "portal_catalogue"


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates, as Flask-Babel installs them in Jinja's
    "newstyle" (the translation taken as a format string, escaped where the template
    escapes), with the constant strings kept once translated.

    A page's fixed texts (headings, hints, buttons: most of its ``_()`` calls) cost the
    same lookups, escaping and formatting on every request otherwise. Each is kept on the
    catalogue it came from (Flask-Babel holds one per language and domain for the life of
    the process), so a string is never served in another language; only the template's
    own literals come here (every ``_()`` of the templates takes one), never a value of a
    request, and a text with placeholders is formatted every time. The catalogue itself
    is looked up once per rendering (Flask-Babel's lookup goes through the request's
    context at each call), and kept on Jinja's evaluation context, which lives as long as
    that rendering and no longer.
    """
    translations = getattr(context.eval_ctx, _TEMPLATE_CATALOGUE, None)
    if translations is None:
        translations = get_translations()
        setattr(context.eval_ctx, _TEMPLATE_CATALOGUE, translations)
    if not context.eval_ctx.autoescape:
        return str(translations.ugettext(string) % variables)
    # Markup, as Jinja's own: the catalogues are ours and may hold HTML; what a placeholder
    # brings in is escaped by the formatting.
    if variables:
        return Markup(translations.ugettext(string)) % variables  # noqa: S704
    kept: dict[str, Markup] = translations.__dict__.setdefault(_TEMPLATE_STRINGS, {})
    translated = kept.get(string)
    if translated is None:
        translated = kept[string] = Markup(translations.ugettext(string)) % {}  # noqa: S704
    return translated


def install_template_gettext(environment: Environment) -> None:
    """Put ``_template_gettext`` in place of the ``_`` and ``gettext`` that Flask-Babel
    installed (``ngettext`` and the others stay Flask-Babel's)."""
    environment.globals.update(_=_template_gettext, gettext=_template_gettext)
