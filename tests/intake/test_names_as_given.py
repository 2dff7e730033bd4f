"""Screening and duplicate search from whichever names an applicant gave: only the name in
Dari, only a name in Latin letters, or both; one name or several."""

from pathlib import Path

import pytest
from flask import Flask

from portal.cases.models import DuplicateReason
from portal.cases.states import ScreeningStatus
from portal.extensions import db
from portal.intake import reasons as R
from tests.intake.conftest import distinct_case, import_watchlist, links, screen

WATCHLIST = """name,aliases,date_of_birth,reference
Mohammad Yusuf Karimi,,1979,UN-2021-0042
Zarminagul,,1987,BKA-0815
"""
NO_LATIN = {"given_names_latin": None, "family_name_latin": None}
DARI_ONLY = {"given_names": "محمد یوسف", "family_name": "کریمی", **NO_LATIN}
LATIN_ONLY = {"given_names": "Mohammad Yusuf", "family_name": "Karimi", **NO_LATIN}
BOTH = {
    "given_names": "محمد یوسف",
    "family_name": "کریمی",
    "given_names_latin": "Mohammad Yusuf",
    "family_name_latin": "Karimi",
}


def codes(assessment) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {reason["code"]: reason["params"] for reason in assessment.reasons}


@pytest.mark.parametrize("names", [DARI_ONLY, LATIN_ONLY, BOTH], ids=["dari", "latin", "both"])
def test_a_latin_watch_list_entry_meets_the_names_given(
    app: Flask, tmp_path: Path, names: dict
) -> None:
    assert import_watchlist(app, WATCHLIST, tmp_path).exit_code == 0
    assessment = screen(distinct_case(birth_date="1979", **names))
    assert assessment.screening_status == ScreeningStatus.HIT
    assert codes(assessment)[R.WATCHLIST_HIT]["hits"] == 1


def test_a_single_name_in_dari_meets_its_latin_watch_list_entry(app: Flask, tmp_path: Path) -> None:
    assert import_watchlist(app, WATCHLIST, tmp_path).exit_code == 0
    single = {"given_names": "زرمینه\u200cگل", "family_name": None, **NO_LATIN}
    assessment = screen(distinct_case(birth_date="1987-03", **single))
    assert assessment.screening_status == ScreeningStatus.HIT


def test_someone_else_with_only_a_dari_name_is_clear(app: Flask, tmp_path: Path) -> None:
    assert import_watchlist(app, WATCHLIST, tmp_path).exit_code == 0
    other = {"given_names": "فرشته", "family_name": "وردک", **NO_LATIN}
    assessment = screen(distinct_case(birth_date="1979", **other))
    assert assessment.screening_status == ScreeningStatus.CLEAR


@pytest.mark.usefixtures("watchlist_in_force")
@pytest.mark.parametrize(
    ("first", "second", "reasons"),
    [
        (DARI_ONLY, DARI_ONLY, {DuplicateReason.NAME_BIRTH_YEAR}),
        (
            {"given_names": "گلالی", "family_name": None, **NO_LATIN},
            {"given_names": "گلالى", "family_name": None, **NO_LATIN},  # Arabic Alef Maksura
            {DuplicateReason.NAME_BIRTH_YEAR},
        ),
        (DARI_ONLY, LATIN_ONLY, {DuplicateReason.NAME_TRANSLITERATED}),
        (LATIN_ONLY, BOTH, {DuplicateReason.NAME_BIRTH_YEAR}),
    ],
    ids=["dari-dari", "one-dari-name", "dari-latin", "latin-both"],
)
def test_two_applications_with_one_name_and_birth_year_are_linked(
    app: Flask, first: dict, second: dict, reasons: set
) -> None:
    first_case = distinct_case(birth_date="1984-02-11", **first)
    first_id, first_person = first_case.id, first_case.people[0].id
    screen(first_case)
    second_case = distinct_case(birth_date="1984", **second)
    second_id, second_person = second_case.id, second_case.people[0].id
    screen(second_case)

    found = links()
    assert reasons <= {link[4] for link in found}
    assert {(link[0], link[1], link[2], link[3]) for link in found} == {
        (first_id, second_id, first_person, second_person),
        (second_id, first_id, second_person, first_person),
    }
    db.session.remove()


@pytest.mark.usefixtures("watchlist_in_force")
def test_different_dari_names_of_one_birth_year_are_not_linked(app: Flask) -> None:
    screen(distinct_case(birth_date="1984", **DARI_ONLY))
    other = {"given_names": "فرشته", "family_name": "وردک", **NO_LATIN}
    screen(distinct_case(birth_date="1984", **other))
    assert links() == set()
