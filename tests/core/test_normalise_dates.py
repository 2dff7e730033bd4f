"""Years of birth (portal.core.normalise.dates).

Two spellings of one value that people really produce must give the same key; different
values must not.
"""

import pytest

from portal.core.normalise import birth_year, birth_years


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


@pytest.mark.parametrize(
    ("date", "years"),
    [
        ("1990", ["1990"]),
        ("1990-05-17", ["1990"]),
        ("۱۹۹۰", ["1990"]),
        # A Solar Hijri year alone falls in two Gregorian years; the duplicate search
        # looks in both.
        ("SH:1364", ["1985", "1986"]),
        ("SH:1364-10", ["1985", "1986"]),  # Dey runs from December into January
        ("SH:1364-01-21", ["1985"]),
        ("junk", []),
        (None, []),
    ],
)
def test_the_gregorian_years_a_date_may_fall_in(date: str | None, years: list[str]) -> None:
    assert birth_years(date) == years
