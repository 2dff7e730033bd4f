"""Duplicates across cases, found through blind indexes and linked from both sides."""

import pytest
from flask import Flask

from portal.cases.models import Case, DuplicateReason
from portal.cases.states import ScreeningStatus
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.tasks import process_case
from tests.intake.conftest import distinct_case, links, screen

# Screened against a list, as in production: what is not a concern comes out clear.
pytestmark = pytest.mark.usefixtures("watchlist_in_force")

AHMAD = {
    "given_names": "احمد",
    "family_name": "کریمی",
    "given_names_latin": "Ahmad",
    "family_name_latin": "Karimi",
    "birth_date": "1984-02-11",
}


def codes(assessment) -> dict[str, dict]:
    return {reason["code"]: reason["params"] for reason in assessment.reasons}


def test_one_document_number_written_two_ways_links_both_cases(app: Flask) -> None:
    first = distinct_case(document_number="P-0123 4567", **AHMAD)
    first_id, first_person = first.id, first.people[0].id
    assert screen(first).screening_status == ScreeningStatus.CLEAR
    second = distinct_case(
        document_number="p۰۱۲۳-۴۵۶۷",  # Persian digits, another dash, lower case
        given_names="Mahmud",
        family_name="Wardak",
        birth_date="1970",
    )
    second_id, second_person = second.id, second.people[0].id
    assessment = screen(second)

    assert links() == {
        (first_id, second_id, first_person, second_person, DuplicateReason.DOCUMENT_NUMBER),
        (second_id, first_id, second_person, first_person, DuplicateReason.DOCUMENT_NUMBER),
    }
    assert assessment.screening_status == ScreeningStatus.CONCERN
    assert codes(assessment)[R.DUPLICATE_DOCUMENT] == {"cases": 1}
    # Nothing is merged: both cases keep their own people.
    assert db.session.get(Case, first_id).people_count == 1
    assert db.session.get(Case, second_id).status == "in_review"


def test_a_person_listed_as_family_in_two_cases_is_shown_not_flagged(app: Flask) -> None:
    """The same two children (the factory's family) in two families' cases."""
    first = distinct_case(family=2, **AHMAD)
    screen(first)
    second = distinct_case(family=2, given_names_latin="Yusuf", family_name_latin="Wardak")
    second_id = second.id
    assessment = screen(second)

    found = links()
    assert found and {link[4] for link in found} == {DuplicateReason.FAMILY_MEMBER}
    assert {(link[0], link[1]) for link in found} == {(first.id, second_id), (second_id, first.id)}
    assert codes(assessment)[R.FAMILY_IN_OTHER_CASE] == {"people": 2, "cases": 1}
    assert assessment.screening_status == ScreeningStatus.CLEAR  # shown, not a concern


def test_a_shared_phone_links_the_cases_not_people(app: Flask) -> None:
    phone = "+93 79 555 0101"
    first = distinct_case(phone=phone, **AHMAD)
    screen(first)
    second = distinct_case(phone="0795550101", given_names_latin="Yusuf", family_name="وردک")
    second.country_of_stay = "AF"
    assessment = screen(second)
    assert links() == {
        (first.id, second.id, None, None, DuplicateReason.PHONE),
        (second.id, first.id, None, None, DuplicateReason.PHONE),
    }
    assert assessment.screening_status == ScreeningStatus.CONCERN


def test_same_name_and_year_with_different_documents_is_linked_but_no_concern(
    app: Flask,
) -> None:
    screen(distinct_case(**AHMAD))
    assessment = screen(distinct_case(**{**AHMAD, "birth_date": "1984"}))
    assert {link[4] for link in links()} == {
        DuplicateReason.NAME_BIRTH_YEAR,
        DuplicateReason.NAME_TRANSLITERATED,
    }
    assert assessment.screening_status == ScreeningStatus.CLEAR


def test_same_name_and_year_without_a_document_is_a_concern(app: Flask) -> None:
    from portal.cases.states import IdentityDocument
    from portal.intake.duplicates import link_duplicates
    from portal.intake.facts import facts_of
    from portal.intake.indexing import index_cases

    screen(distinct_case(**AHMAD))
    undocumented = distinct_case(
        **AHMAD,
        identity_document=IdentityDocument.NONE,
        sworn_declaration=True,
        declaration_signature="Ahmad Karimi",
    )
    undocumented.people[0].document_number = None
    assessment = screen(undocumented)
    assert codes(assessment)[R.DUPLICATE_NAME] == {"cases": 1}
    # The duplicate alone is a concern here (the declaration is another one).
    case = assessment.case
    from portal.cases.custody import open_with_intake_key
    from portal.cases.states import ActorKind

    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    indexes = index_cases(db.session, [case], facts_of(db.session, [case]))
    linking = link_duplicates(db.session, [case], indexes)
    assert linking.results[case.id].concern
    db.session.rollback()


def test_an_arabic_script_name_meets_its_latin_spelling_in_another_case(app: Flask) -> None:
    first = distinct_case(
        **{
            **AHMAD,
            "given_names": "محمد",
            "family_name": "احمدزی",
            "given_names_latin": "Mohammad",
            "family_name_latin": "Ahmadzai",
        }
    )
    first_id, first_person = first.id, first.people[0].id
    screen(first)
    second = distinct_case(
        **{
            **AHMAD,
            "given_names": None,
            "family_name": None,
            "given_names_latin": "Muhammad",
            "family_name_latin": "Ahmadzay",
            "birth_date": "1984",
        }
    )
    second_id, second_person = second.id, second.people[0].id
    assessment = screen(second)
    assert links() == {
        (first_id, second_id, first_person, second_person, "name_transliterated"),
        (second_id, first_id, second_person, first_person, "name_transliterated"),
    }
    assert codes(assessment)[R.DUPLICATE_NAME_TRANSLITERATED] == {"cases": 1}


def test_two_latin_spellings_do_not_meet_through_the_lossy_key(app: Flask) -> None:
    latin_only = {"given_names": None, "family_name": None, "birth_date": "1990"}
    screen(distinct_case(**latin_only, given_names_latin="Anna", family_name_latin="Ivanova"))
    screen(distinct_case(**latin_only, given_names_latin="Ivan", family_name_latin="Ivanov"))
    # Their skeletons would be equal; the folded names are not.
    assert links() == set()


def test_linking_again_gives_the_same_links(app: Flask) -> None:
    """A rerun (the job of a case that went back to screening) replaces, never adds."""
    from portal.cases.states import CaseStatus

    screen(distinct_case(family=1, document_number="X1", **AHMAD))
    second = distinct_case(family=1, document_number="X1", **AHMAD)
    second_id = second.id
    screen(second)
    before = links()
    assert len(before) == 8  # doc, name, transliterated name, the child: each both ways

    case = db.session.get(Case, second_id)
    case.status = CaseStatus.SCREENING  # as if the last step had been lost
    db.session.commit()
    db.session.remove()
    assert process_case(str(second_id)) == "in_review"
    assert links() == before


@pytest.mark.parametrize("other_year", ["1985", "1986"])
def test_a_solar_hijri_year_alone_meets_a_duplicate_born_in_either_gregorian_year(
    app: Flask, other_year: str
) -> None:
    """1364 runs from March 1985 to March 1986: stored as 1985 alone, a duplicate born in
    January 1986 was missed."""
    screen(distinct_case(**{**AHMAD, "birth_date": "SH:1364"}))
    screen(distinct_case(**{**AHMAD, "birth_date": other_year}))
    assert DuplicateReason.NAME_BIRTH_YEAR in {link[4] for link in links()}


def test_a_solar_hijri_year_does_not_meet_a_duplicate_born_outside_it(app: Flask) -> None:
    screen(distinct_case(**{**AHMAD, "birth_date": "SH:1364"}))
    screen(distinct_case(**{**AHMAD, "birth_date": "1987"}))
    assert DuplicateReason.NAME_BIRTH_YEAR not in {link[4] for link in links()}
