"""Phone number keys (portal.core.normalise.phones).

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import phone_key

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


def test_phone_key_reads_a_national_number_in_the_region_where_it_is_valid() -> None:
    # An Afghan mobile number written nationally by someone staying in Iran.
    assert phone_key("0700 123 456", "IR", "AF") == "+93700123456"
    assert phone_key("۰۷۰۰ ۱۲۳ ۴۵۶", "IR", "AF") == "+93700123456"
