"""The portal's languages and how a request's language is chosen."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from babel import Locale
from babel.support import Translations
from flask import g, request, session
from flask_babel import Domain, get_locale, get_translations
from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

T = TypeVar("T")


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


# --- catalogues and constant texts, kept per language -----------------------------------

# By language and key: the catalogues ("messages", "staff") and constant texts translated
# from them. Only constants come here (a template's own literals, the names of enum
# members), never a value of a request, so it holds at most each catalogue's texts once
# per language.
_kept: dict[tuple[Locale | None, Hashable], Any] = {}


def kept_translation(key: Hashable, translate: Callable[[], T]) -> T:
    """``translate()`` for a constant ``key``, kept once per language.

    Flask-Babel finds the catalogue anew at every lookup, through the request's context and
    the locale's name: a staff queue page makes several hundred of them. Keyed by the
    language of the moment (the request's, or one forced with ``force_locale``), so a text
    is never served in another language, whatever Jinja keeps between requests (it keeps an
    imported template's module, and the context its macros run in, for the process's life).
    """
    full_key = (get_locale(), key)
    try:
        return cast(T, _kept[full_key])
    except KeyError:
        kept = _kept[full_key] = translate()
        return kept


def forget_kept_translations() -> None:
    """Forget every kept translation: only for a process that swaps its catalogues (tests
    reading catalogues of their own, after Flask-Babel's own caches are emptied)."""
    _kept.clear()


def _staff_catalogue() -> Translations:
    return kept_translation("staff", staff_domain.get_translations)


def staff_text(string: str, **variables: Any) -> str:
    """``_s`` in templates, as ``staff_domain.gettext`` with the catalogue kept."""
    translated = _staff_catalogue().ugettext(string)
    return translated % variables if variables else translated


def staff_plural(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``ngettext_s`` in templates, as ``staff_domain.ngettext`` with the catalogue kept."""
    return _staff_catalogue().ungettext(singular, plural, num) % {"num": num, **variables}


# --- translated strings in templates --------------------------------------------------------


def _messages_catalogue() -> Translations:
    return kept_translation("messages", get_translations)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates, as Flask-Babel installs them in Jinja's
    "newstyle" (the translation taken as a format string, escaped where the template
    escapes), with the catalogue kept and the constant strings kept once escaped
    (``kept_translation``): most of a page's ``_()`` calls are its fixed texts (headings,
    hints, buttons). Only the template's own literals come here (every ``_()`` of the
    templates takes one); a text with placeholders is formatted every time.
    """
    if eval_ctx.autoescape and not variables:
        return kept_translation(
            ("escaped", string),
            lambda: Markup(_messages_catalogue().ugettext(string)) % {},  # noqa: S704
        )
    translated = _messages_catalogue().ugettext(string)
    if not eval_ctx.autoescape:
        return str(translated % variables)
    # Markup, as Jinja's own: the catalogues are ours and may hold HTML; what a placeholder
    # brings in is escaped by the formatting.
    return Markup(translated) % variables  # noqa: S704


def install_template_gettext(environment: Environment) -> None:
    """Put ``_template_gettext`` in place of the ``_`` and ``gettext`` that Flask-Babel
    installed (``ngettext`` and the others stay Flask-Babel's), and the staff catalogue's
    ``_s`` and ``ngettext_s`` beside them."""
    environment.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        _s=staff_text,
        ngettext_s=staff_plural,
    )
