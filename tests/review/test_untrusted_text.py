"""Text that came from outside, on the staff screens: file names shown as they really
read, and notes, questions and reasons without control characters."""

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from PIL import Image
from sqlalchemy import func, select

from portal.apply.services import add_document
from portal.apply.uploads import check_upload
from portal.cases.custody import blob_store
from portal.cases.models import Case, CaseExport, Message, Note
from portal.cases.states import DocumentKind
from portal.core.actors import Role
from portal.extensions import db
from tests.factories import make_case
from tests.review.conftest import csrf, through_intake

SPOOFED = "photo\u202egpj.exe"  # reads "photoexe.jpg"


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="JPEG")
    return output.getvalue()


def _case_with_file(app: Flask, filename: str, *, stored_as: str | None = None) -> Case:
    """A case in review with one photo uploaded as ``filename``; ``stored_as`` writes a
    name straight into the row, as an upload from before names were cleaned left it."""
    with app.app_context():
        case, _code = make_case(db.session)
        clean = check_upload(io.BytesIO(_jpeg()), max_bytes=10_000_000)
        document = add_document(
            db.session,
            case,
            kind=DocumentKind.PHOTO,
            filename=filename,
            clean=clean,
            store=blob_store(),
        )
        if stored_as is not None:
            document.filename = stored_as
        return through_intake(case)


@pytest.mark.parametrize("stored_as", [None, SPOOFED], ids=["uploaded-now", "kept-from-before"])
def test_a_spoofed_file_name_is_shown_as_it_really_reads(
    staff_app: Flask, signed_in, stored_as: str | None
) -> None:
    case = _case_with_file(staff_app, SPOOFED, stored_as=stored_as)
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case.id}").text
    assert "<bdi>photogpj.exe</bdi>" in page
    assert "\u202e" not in page


def _post(client: FlaskClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf(client.get("/staff/").text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return int(found or 0)


STAFF_MESSAGE = {
    "en": "The text contains control characters or invisible direction marks.",
    "de": "Der Text enthält Steuerzeichen oder unsichtbare Richtungszeichen.",
}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    ("action", "field", "text", "model"),
    [
        ("notes", "body", "Anruf vom Arbeitgeber\x00", Note),
        ("notes", "body", "Rückruf \x1b[2Jbitte", Note),
        ("questions", "question", "Bitte senden Sie\u202e den Vertrag.", Message),
        ("export", "reason", "Prüfung \u202eNOITAGITSEVNI\u202c \x1b[31m", CaseExport),
    ],
    ids=["note-nul", "note-escape", "question-rlo", "export-reason"],
)
def test_control_characters_in_staff_text_are_refused_with_a_message(
    staff_app: Flask,
    signed_in,
    language: str,
    action: str,
    field: str,
    text: str,
    model: type,
) -> None:
    case = _case_with_file(staff_app, "scan.jpg")
    client = signed_in("amira", Role.DECIDER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = _post(client, f"/staff/cases/{case.id}/{action}", **{field: text})
    assert escape(STAFF_MESSAGE[language]) in page.text
    assert text not in page.text
    assert _count(staff_app, model) == 0  # nothing kept


def test_a_reason_with_a_control_character_changes_nothing(staff_app: Flask, signed_in) -> None:
    case = _case_with_file(staff_app, "scan.jpg")
    client = signed_in("sami", Role.SECURITY_OFFICER)
    page = _post(client, f"/staff/cases/{case.id}/threat", level="critical", reason="Drohbrief\x07")
    assert STAFF_MESSAGE["en"] in page.text
    with staff_app.app_context():
        assert db.session.get(Case, case.id).threat_level == case.threat_level


def test_a_note_keeps_its_lines_tabs_and_persian_half_spaces(staff_app: Flask, signed_in) -> None:
    case = _case_with_file(staff_app, "scan.jpg")
    client = signed_in("amira", Role.DECIDER)
    note = "Anruf:\r\n\tArbeitgeber bestätigt.\r\nName: محمد\u200cعلی"
    page = _post(client, f"/staff/cases/{case.id}/notes", body=note)
    assert "Arbeitgeber bestätigt." in page.text and "محمد\u200cعلی" in page.text
    assert _count(staff_app, Note) == 1
