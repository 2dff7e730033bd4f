import re

from flask import Flask
from flask.testing import FlaskClient

from portal.core.i18n import offered_languages
from tests.apply.journey import csrf


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def test_every_language_is_offered_in_its_own_name(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for language in offered_languages():
        assert f'value="{language.code}"' in html
        assert language.native_name in html
    assert "دری" in html and "پښتو" in html


def test_choosing_dari_turns_the_page_right_to_left(client: FlaskClient) -> None:
    token = _csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={"language": "fa_AF", "csrf_token": token})
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fa-AF" dir="rtl">' in html
    assert "زبان خود را انتخاب کنید" in html


def test_the_browser_language_is_used_until_one_is_chosen(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "ps,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ps" dir="rtl">' in html
    assert "خپله ژبه وټاکئ" in html
    html = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html


def test_a_form_without_its_token_is_refused_with_a_translated_page(client: FlaskClient) -> None:
    response = client.post(
        "/language", data={"language": "fa_AF"}, headers={"Accept-Language": "de"}
    )
    assert response.status_code == 400
    assert "Dieses Formular ist zu Ihrer Sicherheit abgelaufen" in response.get_data(as_text=True)


def test_an_unknown_language_is_ignored(client: FlaskClient) -> None:
    token = _csrf_token(client.get("/").get_data(as_text=True))
    client.post("/language", data={"language": "xx<script>", "csrf_token": token})
    assert '<html lang="en" dir="ltr">' in client.get("/").get_data(as_text=True)


def test_pages_are_neutral_uncached_and_locked_down(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert "<title>Information service</title>" in html
    assert "Leave this site quickly" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_missing_page_is_a_translated_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": "fa-AF"})
    assert response.status_code == 404
    assert "این صفحه وجود ندارد." in response.get_data(as_text=True)


def test_someone_who_does_not_fit_is_told_why(client: FlaskClient) -> None:
    token = _csrf_token(client.get("/eligibility").get_data(as_text=True))
    response = client.post(
        "/eligibility",
        data={"programme": "at_risk", "outside_germany": "no", "basis": "no", "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert "This service is not the right one for you" in html
    assert "This service is for people outside Germany." in html
    assert "only for former local staff of German institutions" in html
    assert "Start my application" not in html


def test_every_offered_language_has_its_start_page(client: FlaskClient) -> None:
    headings = {
        "de": "Wählen Sie Ihre Sprache",
        "en": "Choose your language",
        "fa-AF": "زبان خود را انتخاب کنید",
        "ps": "خپله ژبه وټاکئ",
    }
    for code, heading in headings.items():
        html = client.get("/", headers={"Accept-Language": code}).get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in html, code


def test_a_form_sent_over_https_from_its_own_page_is_accepted(app: Flask) -> None:
    """Behind TLS the CSRF check wants the page a form came from as Referer; the pages'
    Referrer-Policy must let the browser send it to the portal itself."""
    client = app.test_client()
    page = client.get("/eligibility", base_url="https://apply.example.org")
    assert page.headers["Referrer-Policy"] in ("same-origin", "strict-origin")
    response = client.post(
        "/eligibility",
        base_url="https://apply.example.org",
        headers={"Referer": "https://apply.example.org/eligibility"},
        data={
            "programme": "local_staff",
            "outside_germany": "yes",
            "basis": "yes",
            "csrf_token": csrf(page.get_data(as_text=True)),
        },
    )
    assert response.status_code != 400, response.get_data(as_text=True)
