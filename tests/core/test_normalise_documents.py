"""Document number keys (portal.core.normalise.documents).

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import document_number_key


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
