"""Matching names against the watch list across scripts (portal.watchlist.matcher)."""

import random
import uuid

import pytest

from portal.core.normalise import parse_approximate_date
from portal.demo.names import AF_FAMILIES, AF_MEN
from portal.watchlist.csvfile import ListedPerson
from portal.watchlist.matcher import WatchListMatcher
from portal.watchlist.store import StoredEntry

THRESHOLD = 88


def entry(name: str, *aliases: str, born: str | None = None, reference: str = "") -> StoredEntry:
    person = ListedPerson(1, name, aliases, born, reference or f"REF-{name}")
    return StoredEntry(uuid.uuid4(), person)


def matcher(*entries: StoredEntry, threshold: int = THRESHOLD) -> WatchListMatcher:
    return WatchListMatcher(uuid.uuid4(), 7, list(entries), threshold=threshold)


def scores(found: WatchListMatcher, *names: str, born: str | None = None) -> dict[str, int]:
    return {m.reference: m.score for m in found.match(names, parse_approximate_date(born))}


LISTED = entry("Mohammad Karimi", born="1980-05-17", reference="UN-42")


@pytest.mark.parametrize(
    "names",
    [
        ("محمد کریمی",),  # Arabic script against a Latin entry
        ("كريمي محمد",),  # Arabic letters, the other order
        ("Muhammad Karimi",),  # another Latin spelling
        ("Karimi Mohammad",),
        ("محمد کریمی", "Mohamed Karimy"),
    ],
)
def test_a_listed_name_is_found_in_any_script_or_spelling(names: tuple[str, ...]) -> None:
    assert "UN-42" in scores(matcher(LISTED), *names)


def test_an_arabic_script_alias_meets_a_latin_applicant() -> None:
    listed = entry("Qari Saifullah", "قاری سیف‌الله منصور", reference="UN-7")
    assert scores(matcher(listed), "Qari Saifullah Mansoor") == {"UN-7": 100}
    assert scores(matcher(listed), "قاری سیف الله منصور") == {"UN-7": 100}


@pytest.mark.parametrize(
    "names",
    [("احمد کریمی",), ("Hamid Karimi",), ("Mohammad Rahimi",), ("Anna Karimova",), ("کریم",)],
)
def test_other_names_are_not_hits(names: tuple[str, ...]) -> None:
    assert scores(matcher(LISTED), *names) == {}


def test_dates_of_birth_support_or_weaken_a_match() -> None:
    found = matcher(LISTED)
    assert scores(found, "محمد کریمی", born="1980-05-17") == {"UN-42": 100}
    assert scores(found, "محمد کریمی", born="1979") == {"UN-42": 100}  # ages are estimated
    # A different year takes points away, yet an exact name still stays a hit...
    assert scores(found, "محمد کریمی", born="1990") == {"UN-42": 90}
    # ...while a near spelling with a different year does not.
    assert scores(found, "Muhammad Karimi", born="1990") == {}
    assert scores(found, "Muhammad Karimi", born="1980") == {"UN-42": 98}


def test_the_match_names_the_entry_and_the_listed_name_that_met() -> None:
    listed = entry("M. Karimi", "محمد کریمی", born="1980", reference="UN-42")
    (match,) = matcher(listed).match(["Mohammad Karimi"], parse_approximate_date("1980-02"))
    assert match.entry_id == listed.id
    assert (match.listed_name, match.name_score, match.birth, match.score) == (
        "محمد کریمی",
        100,
        "same_year",
        100,
    )


def test_the_threshold_decides() -> None:
    assert scores(matcher(LISTED, threshold=95), "Muhammad Karimi") == {}
    assert scores(matcher(LISTED, threshold=93), "Muhammad Karimi") == {"UN-42": 93}


def test_hits_are_best_first_and_few() -> None:
    many = [entry("Mohammad Karimi", reference=f"R-{n}") for n in range(9)]
    found = matcher(*many, entry("Mohammad Karimi", born="1980", reference="R-best"))
    hits = found.match(["محمد کریمی"], parse_approximate_date("1980"))
    assert len(hits) == 5
    assert hits[0].reference == "R-best" and hits[0].score == 100


def test_a_list_of_generated_names_finds_each_listed_person_across_scripts() -> None:
    """Every listed person is found from their Arabic-script name; few others are."""
    rng = random.Random(4)
    people = [(rng.choice(AF_MEN), rng.choice(AF_FAMILIES)) for _ in range(300)]
    listed = [
        entry(f"{rng.choice(g[1])} {rng.choice(f[1])}", born=str(1960 + n % 40), reference=str(n))
        for n, (g, f) in enumerate(people)
    ]
    found = matcher(*listed)
    missed = [
        n
        for n, (g, f) in enumerate(people)
        if str(n) not in scores(found, f"{g[0]} {f[0]}", born=str(1960 + n % 40))
    ]
    assert len(missed) / len(people) < 0.05


def test_a_latin_entry_meets_a_cyrillic_name_and_a_cyrillic_entry_a_latin_one() -> None:
    latin = entry("Muhammad Yusuf", born="1990", reference="UN-L")
    cyrillic = entry("Мухаммад Юсуф", born="1990", reference="UN-C")
    assert scores(matcher(latin), "Мухаммад Юсуф", born="1990")["UN-L"] >= THRESHOLD
    assert scores(matcher(latin), "Юсуф Мохаммед")["UN-L"] >= THRESHOLD
    assert scores(matcher(cyrillic), "Mohammed Yousef", born="1990")["UN-C"] >= THRESHOLD
    assert scores(matcher(cyrillic), "محمد یوسف", born="1990")["UN-C"] >= THRESHOLD


@pytest.mark.parametrize(
    ("listed", "name"),
    [
        ("Yunus", "Юсуф"),
        ("Юсуф", "Yunus"),
        ("Hamid", "Ахмад"),
        ("Ахмад", "Hamid"),
    ],
)
def test_different_names_in_cyrillic_and_latin_letters_are_not_hits(listed: str, name: str) -> None:
    assert scores(matcher(entry(listed, born="1990")), name, born="1990") == {}


def test_cyrillic_and_latin_names_are_not_compared_by_their_bare_skeletons() -> None:
    # Both have the skeleton "'n 'n"; only Arabic script meets a Latin name that way.
    listed = entry("Анна Иванова", reference="RU-1")
    assert scores(matcher(listed), "Ivan Ivanov").get("RU-1", 0) < 100
    assert scores(matcher(listed), "Anna Ivanova") == {"RU-1": 100}


def test_vowels_in_both_names_never_score_above_their_skeletons() -> None:
    # Nazari and Nasiri share their vowel marks (92 with them); their skeletons, as the
    # Arabic-script "نظری" would give, are further apart, and that decides.
    found = matcher(entry("Hamid Nasiri", reference="IR-1"))
    assert scores(found, "Хамид Назари") == scores(found, "حمید نظری") == {"IR-1": 88}


def test_a_solar_hijri_year_matches_by_the_gregorian_years_it_covers() -> None:
    """1362 runs from March 1983 to March 1984: an entry born in 1984 is the same year, as
    it would be for an applicant who wrote 1984 (moved to 1983 alone, it was a year off)."""
    found = matcher(entry("Mohammad Karimi", born="1984", reference="UN-42"))
    assert scores(found, "Muhammad Karimi", born="SH:1362") == scores(
        found, "Muhammad Karimi", born="1984"
    )
    assert scores(found, "Muhammad Karimi", born="SH:1362") != scores(
        found, "Muhammad Karimi", born="1982"
    )
    # And a list written in Solar Hijri meets a Gregorian applicant the same way.
    listed = entry("Mohammad Karimi", born="SH:1362", reference="UN-43")
    assert scores(matcher(listed), "Muhammad Karimi", born="1984") == {"UN-43": 98}
