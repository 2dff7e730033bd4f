"""Letters as keyboards type them: Arabic and Persian variants, digits, marks and controls."""

import functools
import re
import unicodedata
from enum import StrEnum

# Letter variants that Arabic, Persian, Dari and Pashto keyboards produce for one letter.
_LETTER_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic Yeh -> Farsi Yeh
        "\u0649": "\u06cc",  # Alef Maksura -> Farsi Yeh
        "\u06d0": "\u06cc",  # Pashto Yeh -> Farsi Yeh
        "\u06cd": "\u06cc",
        "\u06ce": "\u06cc",
        "\u0643": "\u06a9",  # Arabic Kaf -> Keheh
        "\u06aa": "\u06a9",
        "\u0623": "\u0627",  # Alef with hamza above/below, madda, wasla -> Alef
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0629": "\u0647",  # Teh Marbuta -> Heh
        "\u06c0": "\u0647",
        "\u06d5": "\u0647",
        "\u0624": "\u0648",  # Waw with hamza -> Waw
        "\u0626": "\u06cc",  # Yeh with hamza -> Yeh
        "\u06bc": "\u0646",  # Pashto Noon with ring -> Noon
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    }
)
_REMOVE = {
    "\u0640",  # tatweel
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\ufeff",
}
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_DROP = dict.fromkeys(map(ord, _REMOVE | BIDI_CONTROLS))
_SEPARATORS = re.compile(r"[\s\-_.,'’]+")


def has_bidi_controls(text: str) -> bool:
    """Bidirectional controls can make a name or filename display as something else."""
    return any(char in BIDI_CONTROLS for char in text)


def fold_letters(text: str) -> str:
    """NFKC with Arabic and Persian letter variants folded and Persian, Arabic-Indic and
    fullwidth digits as ASCII; nothing removed, case kept."""
    return unicodedata.normalize("NFKC", text).translate(_LETTER_FOLD)


def fold_text(text: str) -> str:
    """NFKC, letter variants folded, marks and joiners removed, case folded, spaces single."""
    if not text.isascii():  # ASCII has nothing to fold but case: the common Latin name
        decomposed = unicodedata.normalize("NFD", fold_letters(text)).translate(_DROP)
        text = "".join(char for char in decomposed if char.isascii() or not _is_mark(char))
    return " ".join(_SEPARATORS.split(text.casefold())).strip()


@functools.cache
def _is_mark(char: str) -> bool:
    """Harakat, accents and other combining marks (cached per character, not per name)."""
    return unicodedata.category(char).startswith("M")


_ARABIC_LETTER = re.compile("[\u0600-\u06ff\ufb50-\ufeff]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")  # with the Supplement


def is_arabic_script(text: str) -> bool:
    return _ARABIC_LETTER.search(text) is not None


def is_cyrillic_script(text: str) -> bool:
    return _CYRILLIC_LETTER.search(text) is not None


class Script(StrEnum):
    """The script a name is written in, as matching tells them apart."""

    ARABIC = "arabic"
    CYRILLIC = "cyrillic"
    LATIN = "latin"  # and anything else


def name_script(text: str) -> Script:
    """Arabic script wins over Cyrillic, and Cyrillic over Latin: a name with one Latin
    letter that looks Cyrillic ("Mухаммад") is still a Cyrillic name."""
    if is_arabic_script(text):
        return Script.ARABIC
    return Script.CYRILLIC if is_cyrillic_script(text) else Script.LATIN
