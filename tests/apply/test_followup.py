"""After submitting: documents, messages with the consulate, new family members, withdrawal."""

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from portal.cases.custody import blob_store, open_with_intake_key
from portal.cases.lifecycle import transition
from portal.cases.models import Case, Document, Message
from portal.cases.states import ActorKind, CaseStatus, MessageDirection
from portal.extensions import db
from tests.apply.journey import Applicant, png
from tests.apply.test_uploads import jpeg_with_gps, pdf_of
from tests.conftest import AppFactory

MEGABYTE = 1024 * 1024


def _submitted(applicant: Applicant) -> None:
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    assert applicant.submit().status_code == 302


def _the_case(make_app: AppFactory):  # type: ignore[no-untyped-def]
    app = make_app()
    context = app.app_context()
    context.push()
    case = db.session.scalars(select(Case)).one()
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    return case, context


def test_a_photo_is_stored_encrypted_and_without_its_gps(
    applicant: Applicant, make_app: AppFactory
) -> None:
    assert applicant.upload(jpeg_with_gps(), "IMG_2041.jpg").status_code == 302
    case, context = _the_case(make_app)
    try:
        document = db.session.scalars(select(Document)).one()
        stored = blob_store().path(case.id, document.id).read_bytes()
        assert b"Exif" not in stored and b"\xff\xd8\xff" not in stored  # encrypted on disk
        plain = b"".join(blob_store().read(case.sealed_cipher("case"), case.id, document.id))
        image = Image.open(io.BytesIO(plain))
        assert image.size == (64, 48) and dict(image.getexif()) == {}
        assert document.filename == "IMG_2041.jpg"
        assert "IMG_2041" not in str(blob_store().path(case.id, document.id))
    finally:
        context.pop()


def test_a_pdf_at_the_size_limit_is_kept_byte_for_byte_and_one_byte_more_is_refused(
    make_app: AppFactory,
) -> None:
    applicant = Applicant(make_app(PORTAL_UPLOAD_MAX_BYTES=MEGABYTE).test_client())
    applicant.start()
    refused = applicant.upload(pdf_of(MEGABYTE + 1), "scan.pdf", kind="employment")
    assert refused.status_code == 400
    assert "The file is larger than 1 MB." in refused.get_data(as_text=True)
    content = pdf_of(MEGABYTE)
    assert applicant.upload(content, "scan.pdf", kind="employment").status_code == 302
    case, context = _the_case(make_app)
    try:
        document = db.session.scalars(select(Document)).one()
        assert document.size_bytes == len(content) and document.content_type == "application/pdf"
        assert content[:4096] not in blob_store().path(case.id, document.id).read_bytes()
        chunks = list(blob_store().read(case.sealed_cipher("case"), case.id, document.id))
        assert len(chunks) > 2 and b"".join(chunks) == content
    finally:
        context.pop()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00 not a picture", "photo.jpg", "Only JPEG and PNG photos and PDF files"),
        (b"%PDF-1.4 /OpenAction << /JS (x) >>", "form.pdf", "contains active content"),
    ],
)
def test_a_refused_upload_explains_and_keeps_the_rest(
    applicant: Applicant, content: bytes, filename: str, message: str
) -> None:
    assert applicant.upload(png(), "first.png").status_code == 302
    response = applicant.upload(content, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "first.png" in html  # nothing else was lost


def test_one_file_too_many_is_refused(make_app: AppFactory) -> None:
    app = make_app(PORTAL_UPLOAD_MAX_FILES=2)
    applicant = Applicant(app.test_client())
    applicant.start()
    assert applicant.upload(png(), "a.png").status_code == 302
    assert applicant.upload(png(), "b.png").status_code == 302
    response = applicant.upload(png(), "c.png")
    assert response.status_code == 400
    assert "You can upload at most 2 files." in response.get_data(as_text=True)


def test_the_applicant_answers_the_consulates_question(
    applicant: Applicant, make_app: AppFactory
) -> None:
    _submitted(applicant)
    case, context = _the_case(make_app)
    try:
        for status in (CaseStatus.SCREENING, CaseStatus.IN_REVIEW, CaseStatus.INFO_REQUESTED):
            transition(db.session, case, status, actor_kind=ActorKind.SYSTEM)
        question = Message(
            case=case, direction=MessageDirection.TO_APPLICANT, is_information_request=True
        )
        question.body = "Bitte senden Sie eine Kopie Ihres Arbeitsvertrags."
        db.session.add(question)
        db.session.commit()
        case_id = case.id
    finally:
        context.pop()

    status_page = applicant.get("/case").get_data(as_text=True)
    assert "The consulate has a question for you." in status_page and "1 new" in status_page
    page = applicant.get("/case/messages").get_data(as_text=True)
    assert "Bitte senden Sie eine Kopie Ihres Arbeitsvertrags." in page
    response = applicant.post("/case/messages", {"body": "Der Vertrag ist angehängt."})
    assert response.status_code == 302

    app = make_app()
    with app.app_context():
        stored = db.session.get(Case, case_id)
        assert stored.status == CaseStatus.IN_REVIEW  # back to the caseworker
        answer = db.session.scalars(
            select(Message).where(Message.direction == MessageDirection.FROM_APPLICANT)
        ).one()
        assert answer.in_reply_to_id is not None and answer.body_ct is not None
    assert "1 new" not in applicant.get("/case").get_data(as_text=True)  # read now


def test_a_document_sent_with_a_message_is_kept_byte_for_byte(
    applicant: Applicant, make_app: AppFactory
) -> None:
    _submitted(applicant)
    too_large = {"body": "Anbei.", "file": (io.BytesIO(pdf_of(10 * MEGABYTE + 1)), "a.pdf")}
    refused = applicant.post("/case/messages", too_large)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "The file is larger than 10 MB." in html
    content = pdf_of(3 * MEGABYTE // 2)
    sent = {"body": "Der Vertrag ist angehängt.", "file": (io.BytesIO(content), "vertrag.pdf")}
    assert applicant.post("/case/messages", sent).status_code == 302
    case, context = _the_case(make_app)
    try:
        message = db.session.scalars(select(Message)).one()  # the refused one was not sent
        document = db.session.scalars(select(Document)).one()
        assert document.message_id == message.id and document.size_bytes == len(content)
        plain = b"".join(blob_store().read(case.sealed_cipher("case"), case.id, document.id))
        assert plain == content
    finally:
        context.pop()


def test_a_child_born_since_can_be_added_after_submitting(
    applicant: Applicant, make_app: AppFactory
) -> None:
    _submitted(applicant)
    form = applicant.get("/case/family/new").get_data(as_text=True)
    assert 'value="parent"' not in form and 'value="child"' in form
    applicant.add_member("child", "نوزاد", "2026")  # posts to the draft form: refused
    response = applicant.post(
        "/case/family/new",
        {
            "relation": "child",
            "given_names": "نوزاد",
            "family_name": "احمدزی",
            "given_names_latin": "Nawzad",
            "family_name_latin": "Ahmadzai",
            "birth_year": "2026",
            "marital_status": "single",
            "lives_with_principal": "yes",
            "identity_document": "none",
        },
    )
    assert response.status_code == 302
    app = make_app()
    with app.app_context():
        assert db.session.scalars(select(Case)).one().people_count == 2


def test_withdrawing_ends_the_application(applicant: Applicant, make_app: AppFactory) -> None:
    _submitted(applicant)
    assert applicant.post("/case/withdraw", {}).status_code == 302
    assert "You withdrew your application." in applicant.get("/case").get_data(as_text=True)
    assert applicant.get("/case/withdraw").status_code == 302  # nothing more to withdraw
    app = make_app()
    with app.app_context():
        assert db.session.scalars(select(Case)).one().status == CaseStatus.WITHDRAWN


def test_unknown_documents_are_not_found(applicant: Applicant) -> None:
    response = applicant.post(
        f"/application/documents/{uuid.uuid4()}/remove", {}, from_page="/application/documents"
    )
    assert response.status_code == 404


def test_a_messages_date_is_shown_in_the_applicants_calendar_and_digits(
    applicant: Applicant, make_app: AppFactory
) -> None:
    from datetime import UTC, datetime

    _submitted(applicant)
    case, context = _the_case(make_app)
    try:
        message = Message(case=case, direction=MessageDirection.TO_APPLICANT)
        message.body = "Bitte kommen Sie zum Termin."
        message.created_at = datetime(2025, 3, 21, 9, 0, tzinfo=UTC)  # Nowruz 1404
        db.session.add(message)
        db.session.commit()
    finally:
        context.pop()

    assert "Mar 21, 2025" in applicant.get("/case/messages").get_data(as_text=True)
    applicant.post("/language", {"language": "fa_AF"}, from_page="/")
    assert "۱۴۰۴/۰۱/۰۱ (هجری شمسی)" in applicant.get("/case/messages").get_data(as_text=True)
    applicant.post("/language", {"language": "ps"}, from_page="/")
    assert "۱۴۰۴/۰۱/۰۱ (لمریز هجري)" in applicant.get("/case/messages").get_data(as_text=True)


def test_a_draft_writes_no_messages(applicant: Applicant, make_app: AppFactory) -> None:
    """Messages are with the consulate about a sent application; a draft posting them got
    past the file limit of its own documents page."""
    response = applicant.post(
        "/case/messages",
        {"body": "Hallo", "file": (io.BytesIO(png()), "scan.png")},
        from_page="/application",  # a draft has no messages page to send it from
    )
    assert response.status_code == 302 and response.location.endswith("/application")
    with make_app().app_context():
        assert db.session.scalars(select(Message)).all() == []
        assert db.session.scalars(select(Document)).all() == []


def test_an_attachment_counts_against_the_files_of_the_case(make_app: AppFactory) -> None:
    applicant = Applicant(make_app(PORTAL_UPLOAD_MAX_FILES=2).test_client())
    applicant.start()
    _submitted(applicant)
    for name in ("one.png", "two.png"):
        sent = applicant.post(
            "/case/messages", {"body": "Anbei", "file": (io.BytesIO(png()), name)}
        )
        assert sent.status_code == 302
    refused = applicant.post(
        "/case/messages", {"body": "Noch eins", "file": (io.BytesIO(png()), "three.png")}
    )
    assert refused.status_code == 400
    assert "You can upload at most 2 files." in refused.get_data(as_text=True)
    assert "Noch eins" in refused.get_data(as_text=True)  # what was typed is kept
    with make_app().app_context():
        assert len(db.session.scalars(select(Document)).all()) == 2
        assert len(db.session.scalars(select(Message)).all()) == 2
