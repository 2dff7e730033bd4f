"""Digits as each language writes them: CLDR's native numbering system of the language.

Babel formats numbers with a locale's symbols but keeps the digits 0-9, so the digits are
put in here: Dari, Farsi and Pashto write Extended Arabic-Indic digits (۱۳۶۴), Arabic
writes Arabic-Indic digits (١٩٨٥; CLDR's generic "ar" defaults to Latin digits, but its
native system, and that of Syria and Iraq, is "arab"), every other language 0-9. The
separators are those of the same numbering system: Persian digits are grouped with the
Arabic thousands separator (۵٬۰۰۰), never with a Latin comma, nor with Pashto's Latin
full stop, which reads as a decimal point.
"""

from functools import cache

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import get_locale

# The zero of each numbering system the portal's languages use; the others follow it.
_ZEROS = {"latn": "0", "arab": "\u0660", "arabext": "\u06f0"}


@cache
def _native_system(language: str) -> str:
    return str(Locale.parse(language).other_numbering_systems.get("native", "latn"))


@cache
def _digit_table(language: str) -> dict[int, str]:
    zero = ord(_ZEROS.get(_native_system(language), "0"))
    return {ord("0") + digit: chr(zero + digit) for digit in range(10)}


def native_digits(text: object, language: str) -> str:
    """``text`` with its digits 0-9 written as ``language`` writes them."""
    return str(text).translate(_digit_table(language))


def local_number(value: int, *, grouping: bool = True, locale: str | None = None) -> str:
    """``value`` as the page's language writes it: separators and digits. Years and other
    numbers that are read as labels, not amounts, go without grouping (1980, not 1,980)."""
    code = locale or str(get_locale() or "en")
    written = format_decimal(
        value, locale=code, group_separator=grouping, numbering_system=_native_system(code)
    )
    return native_digits(written, code)
