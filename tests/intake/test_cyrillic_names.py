"""Names written in Cyrillic meet their Arabic-script spellings in screening (docs/screening.md,
"Names across scripts"): in the duplicate search and in the watch-list match."""

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.cases.models import DuplicateLink
from portal.cases.states import ScreeningStatus
from portal.extensions import db
from portal.intake import reasons as R
from tests.intake.conftest import distinct_case, import_watchlist, screen

# The Latin name as a Russian passport spells it (х as kh, ю as iu): alone it would meet
# no Arabic-script spelling; the Cyrillic name does.
CYRILLIC = {
    "given_names": "Мухаммад Юсуф",
    "family_name": "Ахмадзай",
    "given_names_latin": "Mukhammad Iusuf",
    "family_name_latin": "Akhmadzai",
    "birth_date": "1979",
}
ARABIC = {
    "given_names": "محمد یوسف",
    "family_name": "احمدزی",
    "given_names_latin": "Mohammad Yusuf",
    "family_name_latin": "Ahmadzai",
    "birth_date": "1979-03-02",
}


def test_a_cyrillic_name_meets_its_arabic_script_spelling_in_another_case(app: Flask) -> None:
    first = distinct_case(**ARABIC)
    first_id = first.id
    screen(first)
    second = distinct_case(**CYRILLIC)
    second_id = second.id
    assessment = screen(second)

    db.session.expire_all()
    assert {
        (link.case_id, link.other_case_id, link.reason)
        for link in db.session.scalars(select(DuplicateLink))
    } == {
        (first_id, second_id, "name_transliterated"),
        (second_id, first_id, "name_transliterated"),
    }
    assert {r["code"]: r["params"] for r in assessment.reasons}[
        R.DUPLICATE_NAME_TRANSLITERATED
    ] == {"cases": 1}


def test_a_different_name_in_cyrillic_does_not_meet(app: Flask) -> None:
    screen(distinct_case(**{**CYRILLIC, "given_names": "Юнус", "given_names_latin": "Iunus"}))
    screen(distinct_case(**{**ARABIC, "given_names": "یوسف", "given_names_latin": "Yusuf"}))
    assert db.session.scalars(select(DuplicateLink)).all() == []


def test_a_cyrillic_name_matches_an_arabic_script_watch_list_entry(
    app: Flask, tmp_path: Path
) -> None:
    listing = "name,aliases,date_of_birth,reference\nمحمد یوسف احمدزی,,1979,UN-2021-0042\n"
    assert import_watchlist(app, listing, tmp_path).exit_code == 0
    assessment = screen(distinct_case(**CYRILLIC))
    assert assessment.screening_status == ScreeningStatus.HIT
    hit = next(r for r in assessment.reasons if r["code"] == R.WATCHLIST_HIT)
    assert hit["params"]["score"] >= 88
