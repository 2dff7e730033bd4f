"""A form sent with mistakes is answered 400, which nginx's gzip never compresses: the
portal compresses such applicant pages itself, and nothing else (staff pages, pages
marked to be sent uncompressed, clients that do not ask for it)."""

import gzip

from flask.testing import FlaskClient

from tests.apply.journey import Applicant, csrf

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _started(client: FlaskClient) -> Applicant:
    applicant = Applicant(client)
    applicant.start()
    return applicant


def test_a_refused_applicant_form_arrives_compressed_and_reads_as_the_page(
    client: FlaskClient,
) -> None:
    applicant = _started(client)
    applicant.get("/application/birth")
    response = client.post(
        "/application/birth", data={"csrf_token": applicant.token()}, headers=GZIP
    )
    assert response.status_code == 400
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    compressed = response.get_data()
    page = gzip.decompress(compressed).decode()
    assert 'class="error-summary"' in page and 'name="nationality"' in page
    assert len(compressed) * 2 < len(page.encode())
    csrf(page)  # the form is whole, with its (masked) token


def test_without_gzip_in_accept_encoding_the_page_is_sent_as_it_is(client: FlaskClient) -> None:
    applicant = _started(client)
    applicant.get("/application/birth")
    response = client.post("/application/birth", data={"csrf_token": applicant.token()})
    assert response.status_code == 400
    assert "Content-Encoding" not in response.headers
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_pages_nginx_compresses_itself_are_left_to_it(client: FlaskClient) -> None:
    _started(client)
    page = client.get("/application/birth", headers=GZIP)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    missing = client.get("/application/no-such-page", headers=GZIP)
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


def test_a_refused_staff_form_is_never_compressed(client: FlaskClient) -> None:
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    response = client.post(
        "/staff/sign-in",
        data={"username": "nobody", "password": "wrong", "code": "000000", "csrf_token": token},
        headers=GZIP,
    )
    assert response.status_code == 400
    assert "Content-Encoding" not in response.headers
