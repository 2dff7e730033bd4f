"""Letters as keyboards type them (portal.core.normalise.script): variants, marks,
joiners and text-direction controls.

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import fold_text, has_bidi_controls

ARABIC_YEH, FARSI_YEH, ALEF_MAKSURA = "\u064a", "\u06cc", "\u0649"
ARABIC_KAF, KEHEH = "\u0643", "\u06a9"
TATWEEL, ZWNJ, ZWJ, ZWSP = "\u0640", "\u200c", "\u200d", "\u200b"
FATHA, DAMMA, KASRA, SHADDA, SUKUN = "\u064e", "\u064f", "\u0650", "\u0651", "\u0652"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Karim: Arabic Kaf and Yeh (Arabic keyboard) vs Keheh and Farsi Yeh (Persian).
        (f"{ARABIC_KAF}ر{ARABIC_YEH}م", f"{KEHEH}ر{FARSI_YEH}م"),
        # Ali with a final Alef Maksura vs Farsi Yeh.
        (f"عل{ALEF_MAKSURA}", f"عل{FARSI_YEH}"),
        # Mixed: only one of the two letters differs.
        (f"{ARABIC_KAF}ر{FARSI_YEH}م", f"{KEHEH}ر{ARABIC_YEH}م"),
        # Ahmad with Alef-hamza vs bare Alef.
        ("أحمد", "احمد"),
        # Fatima with Teh Marbuta vs Heh.
        ("فاطمة", "فاطمه"),
        # Arabic presentation forms (from old PDFs) vs the letters.
        ("\ufedb\ufeae\ufef4\ufee2", f"{KEHEH}ر{FARSI_YEH}م"),
        # Pashto Yeh.
        ("\u06d0", FARSI_YEH),
    ],
    ids=[
        "karim",
        "ali-maksura",
        "mixed",
        "alef-hamza",
        "teh-marbuta",
        "presentation-forms",
        "pashto-yeh",
    ],
)
def test_arabic_and_persian_letter_variants_fold_together(one: str, other: str) -> None:
    assert one != other
    assert fold_text(one) == fold_text(other)


@pytest.mark.parametrize(
    ("decorated", "plain"),
    [
        (f"محمد{TATWEEL}", "محمد"),
        (f"م{TATWEEL}{TATWEEL}حمد", "محمد"),
        (f"م{DAMMA}ح{FATHA}م{SHADDA}{FATHA}د", "محمد"),
        (f"ع{KASRA}ل{SUKUN}ي", "علی"),
        (f"مهر{ZWNJ}انگیز", "مهرانگیز"),
        (f"مهر{ZWJ}انگیز", "مهرانگیز"),
        (f"مهر{ZWSP}انگیز", "مهرانگیز"),
        ("\ufeffمحمد", "محمد"),
        ("\u202eمحمد\u202c", "محمد"),
    ],
    ids=[
        "tatweel-end",
        "tatweel-middle",
        "harakat",
        "harakat-and-yeh",
        "zwnj",
        "zwj",
        "zero-width-space",
        "bom",
        "bidi-override",
    ],
)
def test_tatweel_joiners_harakat_and_controls_are_removed(decorated: str, plain: str) -> None:
    assert fold_text(decorated) == fold_text(plain)
    assert len(fold_text(decorated)) == len(fold_text(plain))


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("José", "jose"),
        ("MÜLLER", "muller"),
        ("Ñúñez", "nunez"),
        ("Çelik", "celik"),
        ("Stra\u00dfe", "strasse"),  # ß case-folds to ss
        ("Jose\u0301", "jose"),  # decomposed accent
        ("ＡＨＭＡＤ", "ahmad"),  # fullwidth
    ],
)
def test_latin_accents_and_case_are_folded(accented: str, plain: str) -> None:
    assert fold_text(accented) == plain


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("  Ahmad   Shah  ", "ahmad shah"),
        ("Abdul-Rahman", "abdul rahman"),
        ("O'Brien", "o brien"),
        ("Al.Sayed", "al sayed"),
        ("Mir_Wais", "mir wais"),
        ("Anna,\tMaria", "anna maria"),
        ("- Ahmad -", "ahmad"),
    ],
)
def test_separators_become_single_spaces(typed: str, folded: str) -> None:
    assert fold_text(typed) == folded


def test_persian_and_arabic_indic_digits_fold_to_ascii() -> None:
    assert fold_text("۱۳۶۹") == fold_text("١٣٦٩") == "1369"


@pytest.mark.parametrize(
    ("one", "other"),
    [("احمد", "محمد"), ("karim", "karima"), ("علی", "عالی"), ("ahmad", "ahmed")],
)
def test_different_names_stay_different(one: str, other: str) -> None:
    assert fold_text(one) != fold_text(other)


@pytest.mark.parametrize(
    "control",
    ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"]
    + ["\u200e", "\u200f", "\u061c"],
)
def test_bidi_controls_are_detected(control: str) -> None:
    assert has_bidi_controls(f"invoice{control}fdp.exe")
    assert has_bidi_controls(control)


@pytest.mark.parametrize(
    "text", ["", "passport.pdf", "محمد کریمی", f"مهر{ZWNJ}انگیز", "José", "שלום"]
)
def test_ordinary_text_has_no_bidi_controls(text: str) -> None:
    assert not has_bidi_controls(text)
