"""Staff see a person's name as their documents write it and, beside it, the Latin spelling
they gave or that none was given; a single name shows as it is."""

from flask import Flask

from portal.core.actors import Role
from portal.extensions import db
from tests.factories import make_case
from tests.review.conftest import csrf, through_intake


def _case(staff_app: Flask):  # type: ignore[no-untyped-def]
    """A principal with one name in Dari only; the factory's child with both spellings."""
    with staff_app.app_context():
        case, _code = make_case(
            db.session,
            family=1,
            given_names="گلالی",
            family_name=None,
            given_names_latin=None,
            family_name_latin=None,
        )
        return through_intake(case)


def test_the_case_shows_both_spellings_or_that_there_is_no_latin_one(
    staff_app: Flask, signed_in
) -> None:
    case = _case(staff_app)
    page = signed_in("dora", Role.CASEWORKER).get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "<bdi>گلالی</bdi>" in page
    assert "In Latin letters:</span> none given" in page  # the principal
    assert "<bdi>فرزانه1 احمدزی</bdi>" in page  # the child, in Dari
    assert "In Latin letters:</span> <bdi>Farzana1 Ahmadzai</bdi>" in page
    assert "None</bdi>" not in page and "<bdi>None" not in page


def test_the_export_shows_both_spellings(staff_app: Flask, signed_in) -> None:
    case = _case(staff_app)
    client = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/export"
    asked = client.get(path).get_data(as_text=True)
    page = client.post(path, data={"reason": "Akte", "csrf_token": csrf(asked)}).get_data(
        as_text=True
    )
    assert "<bdi>گلالی</bdi>" in page and "none given" in page
    assert "<bdi>Farzana1 Ahmadzai</bdi>" in page


def test_staff_read_it_in_german(staff_app: Flask, signed_in) -> None:
    case = _case(staff_app)
    client = signed_in("dora", Role.CASEWORKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "In lateinischen Buchstaben:</span> nicht angegeben" in page
