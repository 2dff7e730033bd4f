"""The case screen's sensitive parts: documents decrypted with nosniff, watch-list entries
for security officers only, a watermarked and logged export, and who opened the case."""

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from portal.apply.services import add_document, submit_case
from portal.apply.uploads import check_upload
from portal.cases.custody import blob_store
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import DocumentKind
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.crypto import DecryptionError
from portal.core.crypto.blobs import CHUNK_BYTES, TAG_BYTES
from portal.extensions import db
from portal.intake.tasks import process_case
from tests.apply.test_uploads import pdf_of
from tests.factories import make_case
from tests.review.conftest import csrf

WATCHLIST = "name,aliases,date_of_birth,reference\nZarminagul Ahmadzai,,1987,UN-2024-0777\n"


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def _case_with_document(
    app: Flask, content: bytes, kind: DocumentKind = DocumentKind.PHOTO
) -> tuple[Case, bytes]:
    """A submitted, screened case with one document; returns the case and the document
    as stored (an image re-encoded)."""
    with app.app_context():
        case, _code = make_case(db.session)
        clean = check_upload(io.BytesIO(content), max_bytes=10_000_000)
        kept = clean.source.read()
        clean.source.seek(0)
        document = add_document(
            db.session,
            case,
            kind=kind,
            filename="Zarminagul passport.png",
            clean=clean,
            store=blob_store(),
        )
        submit_case(db.session, case)
        db.session.commit()
        case_id, document_id = case.id, document.id
        db.session.remove()
        process_case(str(case_id))
        stored = db.session.get(Case, case_id)
        db.session.expunge(stored)
    stored.document_id = document_id  # type: ignore[attr-defined]
    return stored, kept


def _case_with_photo(app: Flask) -> tuple[Case, bytes]:
    return _case_with_document(app, _png())


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.remove()
    return found


def test_a_document_is_decrypted_as_an_attachment_with_nosniff_and_audited(
    staff_app: Flask, signed_in
) -> None:
    case, content = _case_with_photo(staff_app)
    client = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/documents/{case.document_id}"  # type: ignore[attr-defined]
    assert path in client.get(f"/staff/cases/{case.id}").get_data(as_text=True)

    download = client.get(path)
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Zarminagul" not in download.headers["Content-Disposition"]  # never the filename
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    viewed = client.get(path + "?view=1")
    assert viewed.headers["Content-Disposition"].startswith("inline;")
    assert len(_events(staff_app, "document.downloaded")) == 2


def _document_path(case: Case) -> str:
    return f"/staff/cases/{case.id}/documents/{case.document_id}"  # type: ignore[attr-defined]


def test_a_large_document_is_sent_chunk_by_chunk(staff_app: Flask, signed_in) -> None:
    case, content = _case_with_document(
        staff_app, pdf_of(3 * CHUNK_BYTES + 1234), DocumentKind.EMPLOYMENT
    )
    client = signed_in("dora", Role.DECIDER)
    download = client.get(_document_path(case))
    assert download.status_code == 200 and download.is_streamed
    assert download.headers["Content-Disposition"].endswith('.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # Sent as it is decrypted, one chunk at a time (the request's context is gone by now),
    # not joined into one body first.
    pieces = list(download.response)
    download.close()
    assert [len(piece) for piece in pieces] == [CHUNK_BYTES] * 3 + [1234]
    assert b"".join(pieces) == content
    assert len(_events(staff_app, "document.downloaded")) == 1


def test_a_tampered_document_stops_before_the_bad_chunk(staff_app: Flask, signed_in) -> None:
    case, content = _case_with_document(staff_app, pdf_of(4 * CHUNK_BYTES), DocumentKind.EMPLOYMENT)
    with staff_app.app_context():
        blob = blob_store().path(case.id, case.document_id)  # type: ignore[attr-defined]
    sealed = bytearray(blob.read_bytes())
    third_chunk = len(sealed) - 2 * (CHUNK_BYTES + TAG_BYTES)
    sealed[third_chunk + 100] ^= 0x01
    blob.write_bytes(bytes(sealed))
    client = signed_in("dora", Role.DECIDER)

    download = client.get(_document_path(case))
    assert download.status_code == 200  # the first chunks were sound: the body has begun
    received = []
    with pytest.raises(DecryptionError):
        for piece in download.response:
            received.append(piece)
    download.close()
    assert b"".join(received) == content[: 2 * CHUNK_BYTES]  # nothing from the bad chunk on


def test_a_document_that_cannot_be_opened_fails_before_a_response_begins(
    staff_app: Flask, signed_in
) -> None:
    case, _content = _case_with_photo(staff_app)
    with staff_app.app_context():
        blob = blob_store().path(case.id, case.document_id)  # type: ignore[attr-defined]
    sealed = bytearray(blob.read_bytes())
    sealed[-1] ^= 0x01  # the only chunk
    blob.write_bytes(bytes(sealed))
    client = signed_in("dora", Role.DECIDER)
    with pytest.raises(DecryptionError):  # an error page, not a 200 with an empty body
        client.get(_document_path(case))


def test_watch_list_entries_are_shown_to_security_officers_only(
    staff_app: Flask, signed_in, tmp_path: Path
) -> None:
    listed = tmp_path / "watchlist.csv"
    listed.write_text(WATCHLIST, encoding="utf-8")
    assert (
        staff_app.test_cli_runner().invoke(args=["watchlist", "import", str(listed)]).exit_code == 0
    )
    case, _content = _case_with_photo(staff_app)
    assert case.screening_status == "hit"

    officer = signed_in("sami", Role.SECURITY_OFFICER)
    assert "UN-2024-0777" in officer.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    for role in (Role.DECIDER, Role.CASEWORKER):
        other = signed_in(f"not-{role.value.replace('_', '-')}", role)
        page = other.get(f"/staff/cases/{case.id}").get_data(as_text=True)
        assert "watch-list hit" in page and "UN-2024-0777" not in page


def test_an_export_is_watermarked_with_its_maker_and_logged(staff_app: Flask, signed_in) -> None:
    case, _content = _case_with_photo(staff_app)
    client = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/export"
    asked = client.get(path).get_data(as_text=True)  # why, first; nothing is exported yet
    assert _events(staff_app, "case.exported") == []
    made = client.post(path, data={"reason": "Für die Akte", "csrf_token": csrf(asked)})
    page = made.get_data(as_text=True)
    assert "Dora" in page and case.reference in page and "Für die Akte" in page
    (event,) = _events(staff_app, "case.exported")
    assert event.case_id == case.id and event.actor_id == client.user.id  # type: ignore[attr-defined]


def test_the_case_shows_who_opened_it(staff_app: Flask, signed_in) -> None:
    case, _content = _case_with_photo(staff_app)
    signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case.id}")
    page = signed_in("sami", Role.SECURITY_OFFICER).get(f"/staff/cases/{case.id}")
    opened_by = page.get_data(as_text=True).split("Opened by", 1)[1]
    assert "Dora" in opened_by and "Sami" in opened_by


def test_an_earlier_case_counts_the_duplicates_later_cases_bring(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    """The reasons shown count the case's links as they are now; only a raise in screening
    is a new assessment (the second case's document number), not each later namesake."""
    first = submitted_case()
    submitted_case()  # the same document number: first is raised to concern
    submitted_case()  # the same again: first was a concern already
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{first.id}")
    text = page.get_data(as_text=True)
    assert "The principal applicant of 2 other case(s) has the same document number." in text
    with staff_app.app_context():
        count = select(func.count()).where(RiskAssessment.case_id == first.id)
        assert db.session.scalar(count) == 2
        db.session.remove()


def test_staff_see_a_solar_hijri_date_in_gregorian_with_the_original_beside_it(
    staff_app: Flask, signed_in
) -> None:
    with staff_app.app_context():
        case, _code = make_case(db.session, birth_date="SH:1364")
        case.employments[0].started_on, case.employments[0].ended_on = "SH:1388-01", None
        submit_case(db.session, case)
        db.session.commit()
        case_id = case.id
        db.session.remove()
        process_case(str(case_id))
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "1985-03-21 – 1986-03-20 (1364 SH, year only)" in page
    assert "2009-03-21 – 2009-04-20 (1388-01 SH, month only) – …" in page
    assert "SH:" not in page  # never the stored form
