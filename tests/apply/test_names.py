"""Names as people have them: the name in the script of their documents first, a Latin
spelling only if they have one (offered to correct, without JavaScript), one name enough."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cases.custody import open_with_intake_key
from portal.cases.models import BlindIndex, Case, Person
from portal.cases.states import ActorKind, CaseStatus, Relationship
from portal.extensions import db
from portal.intake import indexing
from portal.intake.tasks import process_case
from tests.apply.journey import Applicant
from tests.conftest import AppFactory

ZWNJ = "\u200c"
EMPTY = {"given_names": "", "family_name": "", "given_names_latin": "", "family_name_latin": ""}
SUGGESTED = "We have suggested a spelling in Latin letters."
NOTHING = "There is nothing to suggest."


def _case(applicant: Applicant) -> Case:
    """The applicant's case (other tests' servers may have left theirs)."""
    reference = applicant.reference.replace("-", "")
    return db.session.scalars(select(Case).where(Case.reference == reference)).one()


def _principal(applicant: Applicant) -> Person | None:
    case = _case(applicant)
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    return case.principal


def _stored_names(applicant: Applicant, make_app: AppFactory) -> tuple[Any, ...]:
    with make_app().app_context():
        person = _principal(applicant)
        assert person is not None
        return (
            person.given_names,
            person.family_name,
            person.given_names_latin,
            person.family_name_latin,
        )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ({"given_names": "گلالی"}, ("گلالی", None, None, None)),  # one name, in Dari only
        (
            {"given_names": "زرمینه", "family_name": "احمدزی"},
            ("زرمینه", "احمدزی", None, None),
        ),
        ({"given_names": " Gulalai "}, ("Gulalai", None, None, None)),  # Latin letters only
        (
            {"given_names": "گلالی", "given_names_latin": "Gulalai"},
            ("گلالی", None, "Gulalai", None),
        ),
        (
            {
                "given_names": "زرمینه",
                "family_name": "احمدزی",
                "given_names_latin": "Zarmina",
                "family_name_latin": "Ahmadzai",
            },
            ("زرمینه", "احمدزی", "Zarmina", "Ahmadzai"),
        ),
    ],
)
def test_the_names_that_are_accepted(
    applicant: Applicant, make_app: AppFactory, typed: dict, stored: tuple
) -> None:
    response = applicant.post("/application/names", EMPTY | typed)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/application/birth")
    assert _stored_names(applicant, make_app) == stored


def test_the_page_says_the_latin_spelling_is_optional_and_follows_the_passport(
    applicant: Applicant,
) -> None:
    html = applicant.get("/application/names").get_data(as_text=True)
    assert "Name in Latin letters (optional)" in html
    assert "write the name exactly as the passport writes it" in html
    assert "If you have only one name, leave the family name empty." in html
    assert 'name="suggest"' in html and "<script" not in html
    # Enter in a text field presses the first button: that saves, it does not suggest.
    assert html.index("Save and continue</button>") < html.index('name="suggest"')


def test_a_latin_spelling_is_suggested_on_request_and_nothing_is_saved(
    applicant: Applicant, make_app: AppFactory
) -> None:
    typed = EMPTY | {"given_names": f"زرمینه{ZWNJ}گل", "family_name": "احمدزی"}
    response = applicant.post("/application/names", typed | {"suggest": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SUGGESTED in html
    assert 'value="Zarminagul"' in html and 'value="Ahmadzai"' in html
    assert f'value="زرمینه{ZWNJ}گل"' in html  # what was typed stays
    with make_app().app_context():
        assert _case(applicant).principal is None  # a suggestion is no answer

    # The person corrects the suggestion and saves it as their own.
    corrected = typed | {"given_names_latin": "Zarmina Gul", "family_name_latin": "Ahmadzai"}
    assert applicant.post("/application/names", corrected).status_code == 302
    assert _stored_names(applicant, make_app)[2:] == ("Zarmina Gul", "Ahmadzai")


def test_a_suggestion_keeps_a_latin_spelling_already_typed(applicant: Applicant) -> None:
    typed = EMPTY | {"given_names": "زرمینه", "family_name": "احمدزی"}
    html = applicant.post(
        "/application/names", typed | {"given_names_latin": "Zarmeena", "suggest": "1"}
    ).get_data(as_text=True)
    assert 'value="Zarmeena"' in html and 'value="Ahmadzai"' in html
    assert 'value="Zarmina"' not in html


def test_with_nothing_to_spell_the_page_says_so(applicant: Applicant) -> None:
    response = applicant.post("/application/names", EMPTY | {"suggest": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NOTHING in html and SUGGESTED not in html
    assert 'class="error-summary"' not in html  # not an error: nothing was sent to save


def test_the_suggestion_is_in_the_page_language(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    applicant = Applicant(client)
    applicant.start()
    html = applicant.post(
        "/application/names", EMPTY | {"given_names": "کریم", "suggest": "1"}
    ).get_data(as_text=True)
    assert 'value="Karim"' in html
    assert "ما یک املای نام به حروف لاتین پیشنهاد کردیم." in html


def test_a_family_member_gets_the_same_offer_and_may_have_one_name(
    applicant: Applicant, make_app: AppFactory
) -> None:
    member = {
        "relation": "child",
        "given_names": "مریم",
        "family_name": "",
        "given_names_latin": "",
        "family_name_latin": "",
        "birth_year": "2015",
        "marital_status": "single",
        "lives_with_principal": "yes",
        "identity_document": "none",
    }
    html = applicant.post("/application/family/new", member | {"suggest": "1"}).get_data(
        as_text=True
    )
    assert SUGGESTED in html and 'value="Maryam"' in html
    assert applicant.post("/application/family/new", member).status_code == 302
    family = applicant.get("/application/family").get_data(as_text=True)
    assert "<bdi>مریم</bdi>" in family and "None" not in family
    with make_app().app_context():
        case = _case(applicant)
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        (child,) = [p for p in case.people if p.relation == Relationship.CHILD]
        assert (child.given_names, child.family_name, child.given_names_latin) == (
            "مریم",
            None,
            None,
        )


def test_a_single_dari_name_goes_all_the_way_to_screening(
    applicant: Applicant, make_app: AppFactory
) -> None:
    """The journey with one name in Dari and nothing in Latin letters, for the applicant
    and a child, through the check page, submission and the intake job's indexes."""
    applicant.fill_principal()
    assert applicant.post("/application/names", EMPTY | {"given_names": "گلالی"}).status_code == 302
    applicant.add_job()
    no_latin = {"given_names_latin": "", "family_name_latin": ""}
    applicant.add_member("child", "مریم", "2015", family_name="", **no_latin)
    applicant.add_member("child", "ملالۍ", "2017", family_name="", family_name_latin="")
    applicant.declare()

    check = applicant.get("/application/check").get_data(as_text=True)
    assert "Send application" in check  # every section done, personal details included
    assert "<bdi>گلالی</bdi>" in check and "None" not in check
    assert '<bdi dir="auto">مریم</bdi>' in check and '<bdi dir="auto">ملالۍ</bdi>' in check
    assert applicant.submit().status_code == 302

    app = make_app()
    with app.app_context():
        case_id = _case(applicant).id
        assert process_case(str(case_id)) == "in_review"
        db.session.remove()
        case = db.session.get(Case, case_id)
        assert case is not None and case.status == CaseStatus.IN_REVIEW
        principal_id = next(p.id for p in case.people if p.relation == Relationship.PRINCIPAL)
        purposes = set(
            db.session.scalars(
                select(BlindIndex.purpose).where(BlindIndex.person_id == principal_id)
            )
        )
        assert {indexing.NAME_BIRTH_YEAR, indexing.TRANSLITERATED_ARABIC} <= purposes
