"""Reference numbers and access codes in Crockford base-32.

Crockford's alphabet leaves out I, L, O and U, so codes survive being read aloud, written
by hand and typed on a phone. Input is accepted in any case, with spaces or dashes, and
with Persian or Arabic-Indic digits, which many applicants' keyboards produce.
"""

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 12  # 60 bits: unguessable enough not to be enumerated
ACCESS_CODE_LENGTH = 16  # 80 bits, stretched by scrypt before it protects anything
GROUP = 4

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII; look-alike letters to
# the symbols Crockford reads them as.
_FOLD = str.maketrans(
    {
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
        "I": "1",
        "L": "1",
        "O": "0",
        "_": None,
        ".": None,
        "\u2212": None,  # the minus sign, which some keyboards give for "-"
    }
)


def _is_separator(char: str) -> bool:
    """Spaces of any kind, dashes of any kind, and invisible format characters.

    Codes pasted from a PDF or a messenger arrive with these between the groups.
    """
    return char.isspace() or unicodedata.category(char) in ("Pd", "Cf")


def _generate(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_reference() -> str:
    return _generate(REFERENCE_LENGTH)


def new_access_code() -> str:
    return _generate(ACCESS_CODE_LENGTH)


def normalise(typed: str, length: int) -> str | None:
    """The canonical form of a typed code, or None if it cannot be one."""
    folded = unicodedata.normalize("NFKC", typed).upper().translate(_FOLD)
    folded = "".join(char for char in folded if not _is_separator(char))
    if len(folded) != length or any(char not in ALPHABET for char in folded):
        return None
    return folded


def normalise_reference(typed: str) -> str | None:
    return normalise(typed, REFERENCE_LENGTH)


def normalise_access_code(typed: str) -> str | None:
    return normalise(typed, ACCESS_CODE_LENGTH)


def grouped(code: str) -> str:
    """``ABCD-EFGH-...`` for display and printing."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
