"""Numbers written in the digits of the page's language.

Babel formats a number with the locale's separators but always with the digits 0-9; CLDR
names each locale's default numbering system, and this module writes the digits of it, so
that a Dari or Pashto page says "۱۹۸۰", not "1980".
"""

from functools import cache

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import get_locale

# The digits of the numbering systems the applicant languages use by default (CLDR).
_DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}


@cache
def _digit_table(locale: str) -> dict[int, int]:
    digits = _DIGITS.get(Locale.parse(locale).default_numbering_system, "0123456789")
    return str.maketrans("0123456789", digits)


def local_number(value: int, *, grouping: bool = True, locale: str | None = None) -> str:
    """``value`` as the page's language writes it: separators and digits. Years and other
    numbers that are read as labels, not amounts, go without grouping (1980, not 1,980)."""
    code = locale or str(get_locale() or "en")
    text = format_decimal(value, locale=code, numbering_system="default", group_separator=grouping)
    return text.translate(_digit_table(code))
