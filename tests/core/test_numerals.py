"""Numbers as each language writes them: its digits and the separators that go with them."""

import pytest

from portal.core.numerals import local_number


@pytest.mark.parametrize(
    ("language", "written"),
    [
        # Persian digits take the Arabic thousands separator; a Latin comma beside them, or
        # Pashto's Latin full stop (5.000 reads as five), was what Babel's Latin symbols gave.
        ("fa_AF", "۵٬۰۰۰"),
        ("fa", "۵٬۰۰۰"),
        ("ps", "۵٬۰۰۰"),
        ("ar", "٥٬٠٠٠"),
        ("de", "5.000"),
        ("en", "5,000"),
        ("ru", "5\xa0000"),
    ],
)
def test_a_number_is_grouped_with_the_separator_of_its_digits(language: str, written: str) -> None:
    assert local_number(5000, locale=language) == written


def test_a_year_is_written_without_grouping() -> None:
    assert local_number(1364, grouping=False, locale="fa_AF") == "۱۳۶۴"
