"""Order-free name keys (portal.core.normalise.names).

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import Script, latin_key, name_key, name_keys


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


@pytest.mark.parametrize(
    "name", ["Mohammad Yusuf", "محمد یوسف", "Мухаммад Юсуф", "Abdul Rahman Ahmadzai", "سمیع‌الله"]
)
def test_a_names_keys_are_its_keys_worked_out_once(name: str) -> None:
    keys = name_keys(name)
    assert (keys.folded, keys.skeleton) == (name_key(name), latin_key(name))
    arabic = keys.script == Script.ARABIC
    assert keys.vowelled == ("" if arabic else latin_key(name, vowels=True))
