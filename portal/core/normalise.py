"""Normal forms for matching: what two spellings of the same value have in common.

These keys are only ever hashed into blind indexes or compared; the stored values keep
exactly what the person typed.
"""

import re
import unicodedata

import phonenumbers

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


def has_bidi_controls(text: str) -> bool:
    """Bidirectional controls can make a name or filename display as something else."""
    return any(char in BIDI_CONTROLS for char in text)


def fold_text(text: str) -> str:
    """NFKC, letter variants folded, marks and joiners removed, case folded, spaces single."""
    text = unicodedata.normalize("NFKC", text).translate(_LETTER_FOLD)
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(
        char
        for char in decomposed
        if char not in _REMOVE
        and char not in BIDI_CONTROLS
        and not unicodedata.category(char).startswith("M")  # harakat, accents
    )
    return " ".join(re.split(r"[\s\-_.,'’]+", kept.casefold())).strip()


def name_key(*parts: str | None) -> str:
    """Order-free key of a person's name: the sorted folded tokens."""
    tokens = [token for part in parts if part for token in fold_text(part).split()]
    return " ".join(sorted(tokens))


def document_number_key(number: str) -> str:
    """Letters and digits only, upper-case, Persian and Arabic-Indic digits as ASCII."""
    folded = unicodedata.normalize("NFKC", number).translate(_LETTER_FOLD).upper()
    return "".join(char for char in folded if char.isalnum())


def phone_key(number: str, *regions: str | None) -> str | None:
    """E.164 form of a phone number, or None if it is not one.

    A number written without its country code is read in each of ``regions`` in turn
    (say, the country of stay, then the nationality); the first reading that gives a valid
    number wins, else the first that gives a possible one.
    """
    folded = unicodedata.normalize("NFKC", number).translate(_LETTER_FOLD)
    possible = []
    for region in regions or (None,):
        try:
            parsed = phonenumbers.parse(folded, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(parsed):
            possible.append(parsed)
    if not possible:
        return None
    return phonenumbers.format_number(possible[0], phonenumbers.PhoneNumberFormat.E164)


def birth_year(approximate_date: str | None) -> str | None:
    """The year of an ISO date that may be approximate ("1990", "1990-05", "1990-05-17")."""
    if not approximate_date:
        return None
    # Fold Persian, Arabic-Indic and fullwidth digits so "۱۹۹۰" gives "1990" like "1990";
    # ASCII-only matching, since Python's \d would also accept (and return) other digits.
    folded = unicodedata.normalize("NFKC", approximate_date).translate(_LETTER_FOLD)
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", folded):
        return folded[:4]
    return None
