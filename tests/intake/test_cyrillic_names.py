"""Names written in Cyrillic meet their Arabic-script and Latin spellings in screening
(docs/screening.md, "Names across scripts"): in the duplicate search and in the watch-list
match."""

from pathlib import Path

import pytest
from flask import Flask

from portal.cases.models import Case
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.tasks import process_case
from tests.intake.conftest import distinct_case, import_watchlist, links, screen

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

    assert {
        (case_id, other_case_id, reason) for case_id, other_case_id, *_p, reason in links()
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
    assert links() == set()


# One person's name in three scripts, each case giving no other name that could meet: the
# Cyrillic case's Latin name is the Russian passport's, the Latin case gives only one.
YUSUF_CYRILLIC = {
    "given_names": "Мухаммад",
    "family_name": "Юсуф",
    "given_names_latin": "Mukhammad",
    "family_name_latin": "Iusuf",
    "birth_date": "1990",
}
YUSUF_LATIN = {
    "given_names": None,
    "family_name": None,
    "given_names_latin": "Mohammed",
    "family_name_latin": "Yousef",
    "birth_date": "1990-06-01",
}
YUSUF_ARABIC = {**YUSUF_LATIN, "given_names": "محمد", "family_name": "یوسف"}
YUSUF_ARABIC["given_names_latin"], YUSUF_ARABIC["family_name_latin"] = "Mukhamed", "Iusef"


@pytest.mark.parametrize("other", [YUSUF_LATIN, YUSUF_ARABIC], ids=["latin", "arabic"])
@pytest.mark.parametrize("cyrillic_first", [True, False], ids=["cyrillic_first", "other_first"])
def test_a_cyrillic_name_meets_its_latin_and_arabic_spellings_both_ways(
    app: Flask, other: dict, cyrillic_first: bool
) -> None:
    people = {}
    for principal in (YUSUF_CYRILLIC, other) if cyrillic_first else (other, YUSUF_CYRILLIC):
        case = distinct_case(**principal)
        people[case.id] = case.people[0].id
        assessment = screen(case)
    first_id, second_id = people

    expected = {
        (first_id, second_id, people[first_id], people[second_id], "name_transliterated"),
        (second_id, first_id, people[second_id], people[first_id], "name_transliterated"),
    }
    assert links() == expected
    assert {r["code"]: r["params"] for r in assessment.reasons}[
        R.DUPLICATE_NAME_TRANSLITERATED
    ] == {"cases": 1}

    # The job run again (the case back in screening) leaves one set of links.
    case = db.session.get(Case, second_id)
    assert case is not None
    case.status = CaseStatus.SCREENING
    db.session.commit()
    db.session.remove()
    assert process_case(str(second_id)) == "in_review"
    assert links() == expected


def test_three_spellings_of_one_name_link_each_pair_once(app: Flask) -> None:
    ids = []
    for principal in (YUSUF_ARABIC, YUSUF_LATIN, YUSUF_CYRILLIC):
        case = distinct_case(**principal)
        ids.append(case.id)
        screen(case)
    pairs = [(link[0], link[1]) for link in links()]
    assert sorted(pairs) == sorted((a, b) for a in ids for b in ids if a != b)


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        (("Мухаммад", "Юсуф"), ("Mohammed", "Yunus")),
        (("Ахмад", "Карими"), ("Hamid", "Karimi")),
        # Cyrillic and Latin both write vowels: their skeletons alone would meet here.
        (("Анна", "Иванова"), ("Ivan", "Ivanov")),
        (("Мухаммад", "Юсуф"), ("Mahmoud", "Yousef")),
    ],
)
def test_a_different_name_in_cyrillic_does_not_meet_a_latin_one(
    app: Flask, cyrillic: tuple[str, str], latin: tuple[str, str]
) -> None:
    screen(
        distinct_case(**{**YUSUF_CYRILLIC, "given_names": cyrillic[0], "family_name": cyrillic[1]})
    )
    screen(
        distinct_case(
            **{**YUSUF_LATIN, "given_names_latin": latin[0], "family_name_latin": latin[1]}
        )
    )
    assert links() == set()


@pytest.mark.parametrize(
    ("listed", "principal"),
    [
        ("محمد یوسف احمدزی,,1979,UN-2021-0042", CYRILLIC),
        ("Muhammad Yusuf,,1990,UN-2021-0043", YUSUF_CYRILLIC),
    ],
    ids=["arabic-script entry", "latin entry"],
)
def test_a_cyrillic_name_matches_a_watch_list_entry_in_another_script(
    app: Flask, tmp_path: Path, listed: str, principal: dict
) -> None:
    listing = f"name,aliases,date_of_birth,reference\n{listed}\n"
    assert import_watchlist(app, listing, tmp_path).exit_code == 0
    assessment = screen(distinct_case(**principal))
    assert assessment.screening_status == ScreeningStatus.HIT
    hit = next(r for r in assessment.reasons if r["code"] == R.WATCHLIST_HIT)
    assert hit["params"]["score"] >= 88
