"""The CSRF token is written into pages under a fresh mask each time (BREACH): every page
carries a different value, each of them is accepted, anything else is refused with the
ordinary translated page, and nothing stable of the token is ever in a page."""

import base64
import re

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.services import create_staff
from portal.core.actors import Role
from portal.core.csrf_masking import mask, unmask
from portal.extensions import db

EXPIRED = "This form expired for your safety. Please check your answers and send it again."
PASSWORD = "correct horse battery staple"


def tokens(html: str) -> list[str]:
    return re.findall(r'name="csrf_token" value="([^"]*)"', html)


def token_of(client: FlaskClient, path: str) -> str:
    [token] = tokens(client.get(path).get_data(as_text=True))
    return token


def choose_language(client: FlaskClient, token: str, language: str = "de") -> int:
    return client.post("/language", data={"language": language, "csrf_token": token}).status_code


def page_language(client: FlaskClient) -> str:
    match = re.search(r'<html lang="([^"]+)"', client.get("/").get_data(as_text=True))
    assert match
    return match.group(1)


def tampered(token: str, position: int) -> str:
    """``token`` with one byte of its decoded form flipped: the mask half or the rest."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[position] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")


def test_the_token_differs_in_every_response_and_each_one_is_accepted(
    make_app,
) -> None:
    client = make_app().test_client()
    seen = [token_of(client, "/") for _ in range(6)]
    assert len(set(seen)) == len(seen)
    for language, token in zip(["de", "ps", "en", "ps", "de", "en"], seen, strict=True):
        assert choose_language(client, token, language) == 302
        assert page_language(client) == language


def test_two_forms_in_one_page_carry_different_values(make_app) -> None:
    client = make_app().test_client()
    sign_in_staff(client)
    found = tokens(client.get("/staff/admin/staff").get_data(as_text=True))
    assert len(found) >= 2
    assert len(set(found)) == len(found)


def sign_in_staff(client: FlaskClient) -> None:
    with client.application.app_context():
        user, _password, secret = create_staff(
            db.session, "ada", "Ada", [Role.ADMIN], password=PASSWORD
        )
        db.session.commit()
        username = user.username
    for _ in range(3):  # three pages, three different values: any of them signs in
        token_of(client, "/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "username": username,
            "password": PASSWORD,
            "code": pyotp.TOTP(secret).now(),
            "csrf_token": token_of(client, "/staff/sign-in"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_staff_form_accepts_a_masked_token(make_app) -> None:
    client = make_app().test_client()
    sign_in_staff(client)
    assert client.get("/staff/account/password").status_code == 200


def _refusals(token: str) -> dict[str, str]:
    half = len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) // 2
    return {
        "wrong mask": tampered(token, 0),
        "tampered byte": tampered(token, half + 3),
        "one character short": token[:-1],
        "two characters short": token[:-2],
        "half of it": token[: len(token) // 2],
        "longer": token + "AAAA",
        "non-ascii": token[:-1] + "é",
        "non-ascii only": "توکن" * 20,
        "empty": "",
        "the unmasked token": unmask(token) or "",
        "another alphabet": token.replace("-", "+").replace("_", "/") + "==",
        "nonsense": "x" * 5000,
    }


@pytest.mark.parametrize("case", list(_refusals(mask("a.b-c_d"))))
def test_anything_but_a_masked_token_is_refused_with_the_translated_page(
    make_app, case: str
) -> None:
    app: Flask = make_app()
    client = app.test_client()
    assert choose_language(client, token_of(client, "/"), "de") == 302
    forged = _refusals(token_of(client, "/"))[case]
    response = client.post("/language", data={"language": "ps", "csrf_token": forged})
    assert response.status_code == 400
    with app.test_request_context(), force_locale("de"):
        german = gettext(EXPIRED)
    assert german != EXPIRED
    assert german in response.get_data(as_text=True)
    assert page_language(client) == "de"  # nothing changed


def test_a_refused_staff_sign_in_is_the_ordinary_form_again(make_app) -> None:
    client = make_app().test_client()
    token = token_of(client, "/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "username": "ada",
            "password": PASSWORD,
            "code": "",
            "csrf_token": tampered(token, 5),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page
    assert 'value="ada"' in page  # what was typed is kept, with a fresh token
    assert len(tokens(page)) == 1 and tokens(page)[0] != token


def test_a_masked_token_in_the_header_is_accepted_and_an_unmasked_one_refused(make_app) -> None:
    client = make_app().test_client()
    token = token_of(client, "/")
    response = client.post("/language", data={"language": "de"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert page_language(client) == "de"
    raw = unmask(token_of(client, "/")) or ""
    response = client.post("/language", data={"language": "ps"}, headers={"X-CSRFToken": raw})
    assert response.status_code == 400
    assert page_language(client) == "de"


def test_nothing_stable_of_the_token_is_in_any_page(make_app) -> None:
    """Neither the session's secret, nor the signed token, nor its unchanging first part
    (the secret, encoded) is written into a page: only masked values are."""
    client = make_app().test_client()
    bodies = [client.get(path).get_data(as_text=True) for path in ("/", "/eligibility")]
    bodies += [client.get("/sign-in").get_data(as_text=True), client.get("/staff/sign-in").text]
    with client.session_transaction() as session:
        secret = session["csrf_token"]
    signed = {unmask(value) for body in bodies for value in tokens(body)}
    assert len(signed) >= 1 and None not in signed
    stable = {secret} | {token.split(".")[0] for token in signed if token} | signed
    for body in bodies:
        assert tokens(body)
        for value in stable:
            assert value and value not in body


@given(
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=200)
)
def test_unmask_returns_what_mask_wrote(token: str) -> None:
    masked = mask(token)
    assert unmask(masked) == token
    assert re.fullmatch(r"[A-Za-z0-9_-]*", masked)


@given(st.text(max_size=300))
def test_unmask_answers_any_text_without_failing(value: str) -> None:
    result = unmask(value)
    assert result is None or isinstance(result, str)
