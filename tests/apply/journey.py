"""Driving the applicant pages with the test client, as a browser without JavaScript would."""

import io
import re
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """The test client's arguments for a form with files, given as (stream, filename) pairs.

    Encoded in memory: left to itself, the client spools a large body to a temporary file
    that it never closes."""
    values = {
        name: FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value
        for name, value in fields.items()
    }
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def png(width: int = 40, height: int = 30) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


@dataclass
class Applicant:
    client: FlaskClient
    reference: str = ""
    access_code: str = ""
    pages: list[str] = field(default_factory=list)

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        self.pages.append(response.get_data(as_text=True))
        return response

    def token(self) -> str:
        """The CSRF token of the last page that had a form, as a browser would send it."""
        return csrf(next(page for page in reversed(self.pages) if "csrf_token" in page))

    def post(self, path: str, data: dict[str, Any], *, from_page: str | None = None) -> Any:
        """Open the page with the form (``from_page``, else ``path``), then send it."""
        self.get(from_page or path)
        fields = {**data, "csrf_token": self.token()}
        if any(isinstance(value, tuple) for value in fields.values()):  # a form with a file
            response = self.client.post(path, **multipart(fields))
        else:
            response = self.client.post(path, data=fields)
        self.pages.append(response.get_data(as_text=True))
        return response

    def upload(self, content: bytes, filename: str, kind: str = "photo") -> Any:
        self.get("/application/documents")
        return self.client.post(
            "/application/documents",
            **multipart(
                {"kind": kind, "file": (io.BytesIO(content), filename), "csrf_token": self.token()}
            ),
        )

    def sign_out(self) -> None:
        self.post("/sign-out", {}, from_page="/application")

    def sign_in(self, reference: str, access_code: str) -> Any:
        return self.post("/sign-in", {"reference": reference, "access_code": access_code})

    def submit(self) -> Any:
        return self.post("/application/submit", {}, from_page="/application/check")

    def start(self, programme: str = "local_staff") -> None:
        answers = {"programme": programme, "outside_germany": "yes", "basis": "yes"}
        self.post("/eligibility", answers)
        response = self.client.post(
            "/start", data={"programme": programme, "csrf_token": self.token()}
        )
        assert response.location == "/application/receipt"
        html = self.get(response.location).get_data(as_text=True)
        codes = re.findall(r'<bdi class="code" dir="ltr" lang="en">([0-9A-Z-]+)</bdi>', html)
        assert len(codes) == 2, html
        self.reference, self.access_code = codes

    def fill_principal(self) -> None:
        self.post(
            "/application/names",
            {
                "given_names": "زرمینه",
                "family_name": "احمدزی",
                "given_names_latin": "Zarmina",
                "family_name_latin": "Ahmadzai",
            },
        )
        self.post(
            "/application/birth",
            {
                "birth_calendar": "gregorian",  # chosen: Solar Hijri is Dari's default
                "birth_year": "۱۹۸۷",
                "birth_month": "3",
                "place_of_birth": "Mazar-i-Sharif",
                "nationality": "AF",
                "marital_status": "married",
            },
        )
        self.post("/application/stay", {"country_of_stay": "AF", "place_of_stay": "Kabul"})
        self.post("/application/contact", {"phone": "+93 70 123 4567"})
        self.post(
            "/application/identity",
            {
                "identity_document": "passport",
                "document_number": "P0177 33",
            },
        )

    def add_job(self) -> None:
        self.post(
            "/application/employment/new",
            {
                "employer": "bundeswehr",
                "place": "Camp Marmal",
                "calendar": "gregorian",
                "started_year": "2010",
                "started_month": "4",
                "ended_year": "2014",
                "role": "Sprachmittler",
            },
        )

    def add_member(self, relation: str, given: str, year: str, **extra: str) -> None:
        self.post(
            "/application/family/new",
            {
                "relation": relation,
                "given_names": given,
                "family_name": "احمدزی",
                "given_names_latin": "Latin",
                "family_name_latin": "Ahmadzai",
                "birth_calendar": "gregorian",
                "birth_year": year,
                "marital_status": "single",
                "lives_with_principal": "yes",
                "identity_document": "e_tazkira",
                "document_number": "1400-0101-12345",
                **extra,
            },
        )

    def declare(self) -> None:
        self.post("/application/declarations", {"truthful": "y", "consent": "y"})
