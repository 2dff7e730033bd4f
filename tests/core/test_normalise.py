"""Matching keys for blind indexes (portal.core.normalise).

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import (
    birth_year,
    document_number_key,
    fold_text,
    has_bidi_controls,
    name_key,
    phone_key,
)

ARABIC_YEH, FARSI_YEH, ALEF_MAKSURA = "\u064a", "\u06cc", "\u0649"
ARABIC_KAF, KEHEH = "\u0643", "\u06a9"
TATWEEL, ZWNJ, ZWJ, ZWSP = "\u0640", "\u200c", "\u200d", "\u200b"
FATHA, DAMMA, KASRA, SHADDA, SUKUN = "\u064e", "\u064f", "\u0650", "\u0651", "\u0652"


# --- fold_text --------------------------------------------------------------------------


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


# --- name_key ---------------------------------------------------------------------------


def test_name_key_is_order_independent() -> None:
    assert name_key("Ahmad", "Karimi") == name_key("Karimi", "Ahmad") == "ahmad karimi"
    assert name_key("Mohammad Ali", "Rezaei") == name_key("Rezaei Ali", "Mohammad")
    assert name_key("احمد", "کریمی") == name_key("کريمي", "أحمد")


def test_name_key_skips_missing_parts_and_keeps_repeated_tokens() -> None:
    assert name_key(None, "Karimi", "", None) == "karimi"
    assert name_key() == ""
    assert name_key(None) == ""
    assert name_key("Ahmad Ahmad", "Karimi") != name_key("Ahmad", "Karimi")


def test_name_key_of_different_people_differs() -> None:
    assert name_key("Ahmad", "Karimi") != name_key("Ahmad", "Karami")
    assert name_key("Ahmad", "Karimi") != name_key("Ahmad Karimi", "Jan")


# --- document_number_key ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "P01234567",
        "p01234567",
        "P 0123 4567",
        "P-0123-4567",
        " p-0123 4567 ",
        "P۰۱۲۳۴۵۶۷",
        "p ٠١٢٣-٤٥٦٧",
        "Ｐ０１２３４５６７",
        "P.0123/4567",
    ],
)
def test_document_number_key(typed: str) -> None:
    assert document_number_key(typed) == "P01234567"


def test_document_numbers_that_differ_keep_different_keys() -> None:
    assert document_number_key("P01234567") != document_number_key("P01234568")
    assert document_number_key("P01234567") != document_number_key("R01234567")
    assert document_number_key("- / .") == ""


# --- phone_key --------------------------------------------------------------------------

AFGHAN = "+93700123456"


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("+93700123456", None),
        ("+93 70 012 3456", None),
        ("+93 (0) 700 123 456", None),
        ("0700 123 456", "AF"),
        ("0700-123-456", "AF"),
        ("(070) 012-3456", "AF"),
        ("700123456", "AF"),
        ("0093 700 123 456", "AF"),
        ("+93700123456", "DE"),  # an international number whatever the country of stay
        ("۰۷۰۰۱۲۳۴۵۶", "AF"),
        ("+۹۳ ۷۰۰ ۱۲۳ ۴۵۶", None),
        ("٠٧٠٠ ١٢٣ ٤٥٦", "AF"),
        ("＋９３７００１２３４５６", None),
    ],
)
def test_afghan_numbers_written_many_ways_give_one_e164(typed: str, region: str | None) -> None:
    assert phone_key(typed, region) == AFGHAN


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("", "AF"),
        ("hello", "AF"),
        ("call me", None),
        ("12", "AF"),
        ("+93 12", None),
        ("0700 123 456", None),  # national format with no country to read it in
        ("+93 700 123 456 789 012 345", None),
        ("۰۷۰۰", "AF"),
    ],
)
def test_junk_phone_numbers_give_none(typed: str, region: str | None) -> None:
    assert phone_key(typed, region) is None


def test_different_phone_numbers_give_different_keys() -> None:
    assert phone_key("0700 123 456", "AF") != phone_key("0700 123 457", "AF")
    assert phone_key("+49 30 123456", None) == "+4930123456"


# --- birth_year -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("1990", "1990"),
        ("1990-05", "1990"),
        ("1990-05-17", "1990"),
        ("2005-12-31", "2005"),
        # Digits as a Persian or Arabic keyboard types them must give the same year, or the
        # name + birth-year index misses the duplicate.
        ("۱۹۹۰", "1990"),
        ("۱۹۹۰-۰۵-۱۷", "1990"),
        ("١٩٩٠-٠٥", "1990"),
        ("１９９０", "1990"),
    ],
)
def test_birth_year_of_exact_and_approximate_dates(date: str, year: str) -> None:
    assert birth_year(date) == year


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "",
        "90",
        "199",
        "19900",
        "1990-5",
        "1990-05-17T00:00",
        "1990/05/17",
        "17.05.1990",
        "about 1990",
        " 1990",
        "1990\n",
        "abcd",
        "1990-05-17-01",
        "\u0967\u096f\u096f\u0966",  # Devanagari digits: not ASCII, not folded
    ],
)
def test_birth_year_of_junk_is_none(junk: str | None) -> None:
    assert birth_year(junk) is None


# --- bidi controls ----------------------------------------------------------------------


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


def test_phone_key_reads_a_national_number_in_the_region_where_it_is_valid() -> None:
    # An Afghan mobile number written nationally by someone staying in Iran.
    assert phone_key("0700 123 456", "IR", "AF") == "+93700123456"
    assert phone_key("۰۷۰۰ ۱۲۳ ۴۵۶", "IR", "AF") == "+93700123456"
