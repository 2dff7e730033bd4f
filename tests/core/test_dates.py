import pytest

from portal.core.dates import is_solar_hijri, to_gregorian


@pytest.mark.parametrize(
    ("solar_hijri", "gregorian"),
    [
        ((1366, 1, 1), (1987, 3, 21)),  # Nowruz
        ((1366, 12, 29), (1988, 3, 19)),
        ((1369, 10, 11), (1991, 1, 1)),
        ((1366, 1, None), (1987, 4, None)),  # Hamal, mostly in April
        ((1366, None, None), (1987, None, None)),
    ],
)
def test_solar_hijri_dates_become_gregorian(solar_hijri: tuple, gregorian: tuple) -> None:
    assert to_gregorian(*solar_hijri) == gregorian


def test_a_day_missing_from_the_month_is_refused() -> None:
    with pytest.raises(ValueError):
        to_gregorian(1366, 7, 31)  # Mizan has 30 days


@pytest.mark.parametrize(
    ("year", "expected"), [(1366, True), (1987, False), (1899, False), (1290, True)]
)
def test_which_years_are_solar_hijri(year: int, expected: bool) -> None:
    assert is_solar_hijri(year) is expected
