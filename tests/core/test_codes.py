"""Reference numbers and access codes (portal.core.codes)."""

from collections.abc import Callable

import pytest

from portal.core import codes

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", PERSIAN))


def arabic_indic(text: str) -> str:
    return text.translate(str.maketrans("0123456789", ARABIC_INDIC))


def test_alphabet_is_crockford_base32() -> None:
    assert codes.ALPHABET == CROCKFORD
    assert len(set(codes.ALPHABET)) == 32
    assert not set("ILOU") & set(codes.ALPHABET)


@pytest.mark.parametrize(
    ("make", "length"),
    [(codes.new_reference, 12), (codes.new_access_code, 16)],
    ids=["reference", "access-code"],
)
def test_generated_codes_have_the_right_length_and_alphabet(
    make: Callable[[], str], length: int
) -> None:
    generated = [make() for _ in range(200)]
    assert all(len(code) == length for code in generated)
    assert all(set(code) <= set(CROCKFORD) for code in generated)
    assert len(set(generated)) == 200  # random, not a counter
    # 200 codes of 12+ symbols use most of the alphabet; a narrowed alphabet would show.
    assert len(set("".join(generated))) == 32
    # Every generated code is already in canonical form.
    assert all(codes.normalise(code, length) == code for code in generated)


CANONICAL = "7K3MQ9XZP2D4RT8V"


@pytest.mark.parametrize(
    "typed",
    [
        "7K3MQ9XZP2D4RT8V",
        "7k3mq9xzp2d4rt8v",
        "7K3M-Q9XZ-P2D4-RT8V",
        "7k3m q9xz p2d4 rt8v",
        "  7K3M  Q9XZ P2D4 RT8V  ",
        "7K3M_Q9XZ.P2D4-RT8V",
        "7K3M\u00a0Q9XZ\u00a0P2D4\u00a0RT8V",  # no-break spaces
        "\u200f7K3M-Q9XZ-P2D4-RT8V\u200e",  # direction marks from a right-to-left field
        "7K3M\u200cQ9XZ\u200cP2D4\u200cRT8V",  # zero-width non-joiner (Persian keyboards)
        "７Ｋ３Ｍ－Ｑ９ＸＺ－Ｐ２Ｄ４－ＲＴ８Ｖ",  # fullwidth forms
        "7K3M" + "\u3000" + "Q9XZP2D4RT8V",  # ideographic space
        persian("7K3MQ9XZP2D4RT8V"),
        arabic_indic("7K3MQ9XZP2D4RT8V"),
    ],
    ids=[
        "canonical",
        "lowercase",
        "dashes",
        "spaces",
        "padded",
        "underscore-dot",
        "nbsp",
        "bidi-marks",
        "zwnj",
        "fullwidth",
        "ideographic-space",
        "persian-digits",
        "arabic-indic-digits",
    ],
)
def test_typed_access_code_normalises_to_canonical(typed: str) -> None:
    assert codes.normalise_access_code(typed) == CANONICAL


def test_realistic_access_code_from_a_persian_keyboard() -> None:
    """Digits from the Persian layout, letters in lower case, grouped with spaces."""
    typed = "۷k۳m q۹xz p۲d۴ rt۸v"
    assert typed != CANONICAL.lower()
    assert codes.normalise_access_code(typed) == CANONICAL


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("IIII-LLLL-OOOO", "111111110000"),
        ("iiii llll oooo", "111111110000"),
        ("O0O0-I1L1-ABCD", "00001111ABCD"),
    ],
)
def test_look_alike_letters_read_as_digits(typed: str, expected: str) -> None:
    assert codes.normalise_reference(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7K3MQ9XZP2D4RT8",  # 15
        "7K3MQ9XZP2D4RT8VV",  # 17
        "7K3M-Q9XZ-P2D4",
        "----------------",
        "7K3MQ9XZP2D4RT8U",  # U is not in the alphabet
        "7K3MQ9XZP2D4RT8u",
        "7K3MQ9XZP2D4RT8!",
        "7К3МQ9XZP2D4RT8V",  # Cyrillic К and М
        "7K3MQ9XZP2D4RT8\u0628",  # Arabic letter beh
        "7K3MQ9XZP2D4RT8" + "\u0967",  # Devanagari digit one
        "7K3MQ9XZP2D4RT8" + "\u00e9",  # é
    ],
    ids=[
        "empty",
        "too-short",
        "too-long",
        "three-groups",
        "only-dashes",
        "U",
        "u",
        "punctuation",
        "cyrillic",
        "arabic-letter",
        "devanagari-digit",
        "accented",
    ],
)
def test_impossible_access_codes_are_rejected(typed: str) -> None:
    assert codes.normalise_access_code(typed) is None


def test_reference_and_access_code_lengths_are_not_interchangeable() -> None:
    assert codes.normalise_reference(CANONICAL) is None
    assert codes.normalise_access_code(CANONICAL[:12]) is None
    assert codes.normalise_reference(CANONICAL[:12]) == CANONICAL[:12]


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("7K3MQ9XZP2D4RT8V", "7K3M-Q9XZ-P2D4-RT8V"),
        ("ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
        ("ABCDEF", "ABCD-EF"),
        ("ABCD", "ABCD"),
        ("", ""),
    ],
)
def test_grouped_display(code: str, shown: str) -> None:
    assert codes.grouped(code) == shown


def test_grouped_code_normalises_back() -> None:
    code = codes.new_access_code()
    assert codes.normalise_access_code(codes.grouped(code)) == code
    assert codes.normalise_access_code(persian(codes.grouped(code).lower())) == code


@pytest.mark.parametrize(
    "pasted",
    [
        "ABCD\tEFGH\nJKMN PQRS",
        "ABCD\u2013EFGH\u2014JKMN\u2212PQRS",  # en dash, em dash, minus sign
        "\u200fABCD\u200dEFGH\u061cJKMN\u00a0PQRS",  # marks and joiners from RTL text
    ],
)
def test_access_codes_pasted_with_any_separator_are_accepted(pasted: str) -> None:
    assert codes.normalise_access_code(pasted) == "ABCDEFGHJKMNPQRS"
