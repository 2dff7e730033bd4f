"""The portal with its documents in an S3-compatible bucket (PORTAL_BLOB_URL), end to end:
an applicant's upload reaches the bucket encrypted, staff download the same bytes, and the
retention schedule's shred takes the case's objects with it."""

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import retention
from portal.cases.models import Case, Document
from portal.cases.states import CaseStatus
from portal.core.actors import Role
from portal.core.crypto.blobs import CHUNK_BYTES
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.tasks import process_case
from tests.apply.journey import Applicant
from tests.apply.test_uploads import pdf_of
from tests.object_storage import BUCKET, in_process_s3, keys


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with in_process_s3(monkeypatch) as client:
        yield client


@pytest.fixture
def staff_app(make_app: Callable[..., Flask], s3: Any, tmp_path: Path) -> Flask:
    """The review tests' app, with its documents in the bucket rather than a folder."""
    return make_app(
        PORTAL_BLOB_URL=f"s3://{BUCKET}/consulate",
        PORTAL_BLOB_S3_SSE="AES256",
        PORTAL_BLOB_DIR=tmp_path / "no-blobs-here",
        PORTAL_SHRED_LEDGER_PATH=tmp_path / "shred-ledger.jsonl",
    )


def _submitted_with_document(app: Flask, content: bytes) -> tuple[uuid.UUID, uuid.UUID]:
    """The case's and the document's ids, the case through intake and in review."""
    applicant = Applicant(app.test_client())
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    uploaded = applicant.upload(content, "Zarminagul tazkira.pdf", kind="identity")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    applicant.submit()
    with app.app_context():
        case_id = db.session.scalars(select(Case.id)).one()
        document_id = db.session.scalars(select(Document.id)).one()
        db.session.remove()
        process_case(str(case_id))
        db.session.remove()
    return case_id, document_id


def test_an_upload_is_kept_in_the_bucket_served_to_staff_and_shredded_with_its_case(
    staff_app: Flask, signed_in: Callable[..., Any], s3: Any, tmp_path: Path
) -> None:
    content = pdf_of(3 * CHUNK_BYTES + 100)  # several encryption chunks
    case_id, document_id = _submitted_with_document(staff_app, content)

    assert keys(s3) == [f"consulate/{case_id}/{document_id}"]
    stored = s3.get_object(Bucket=BUCKET, Key=keys(s3)[0])
    assert content[1000:1064] not in stored["Body"].read()
    assert stored["ServerSideEncryption"] == "AES256"
    assert not (tmp_path / "no-blobs-here").exists()  # nothing went to the folder

    client = signed_in("dora", Role.DECIDER)
    download = client.get(f"/staff/cases/{case_id}/documents/{document_id}")
    assert download.status_code == 200 and download.data == content

    with staff_app.app_context():
        closed = db.session.get(Case, case_id)
        assert closed is not None
        closed.status = CaseStatus.ARRIVED
        closed.status_changed_at = utcnow() - timedelta(days=4 * 365)
        db.session.commit()
        assert retention.run(db.session).shredded == 1
        db.session.remove()

    assert keys(s3) == []


def test_the_bucket_is_backed_up_as_ciphertext_and_restored_for_staff_to_read(
    staff_app: Flask, signed_in: Callable[..., Any], s3: Any, tmp_path: Path
) -> None:
    """What deploy/backup.sh and restore.sh run for a bucket: `blobs export` into the
    backup's folder, `blobs import` back."""
    content = pdf_of(2 * CHUNK_BYTES + 7)
    case_id, document_id = _submitted_with_document(staff_app, content)
    backup = tmp_path / "backup" / "blobs"
    cli = staff_app.test_cli_runner()

    exported = cli.invoke(args=["blobs", "export", str(backup)])
    assert exported.exit_code == 0, exported.output
    assert "1 blobs copied" in exported.output
    copied = (backup / str(case_id) / str(document_id)).read_bytes()
    assert copied == s3.get_object(Bucket=BUCKET, Key=keys(s3)[0])["Body"].read()
    assert content[1000:1064] not in copied  # the backup holds what the bucket held

    s3.delete_object(Bucket=BUCKET, Key=keys(s3)[0])  # the bucket is lost
    client = signed_in("dora", Role.DECIDER)
    # Until it is restored, the caseworker is told so on the case screen, not given a 500.
    missing = client.get(f"/staff/cases/{case_id}/documents/{document_id}")
    assert missing.status_code == 302
    assert missing.headers["Location"].endswith(f"/staff/cases/{case_id}")
    assert "missing from the document store" in client.get(missing.headers["Location"]).text

    imported = cli.invoke(args=["blobs", "import", str(backup)])
    assert imported.exit_code == 0, imported.output
    assert "1 blobs uploaded" in imported.output
    assert keys(s3) == [f"consulate/{case_id}/{document_id}"]
    download = client.get(f"/staff/cases/{case_id}/documents/{document_id}")
    assert download.status_code == 200 and download.data == content

    # An export never writes into a folder that holds something already.
    again = cli.invoke(args=["blobs", "export", str(backup)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_blob_commands_refuse_a_folder_store(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["blobs", "export", str(tmp_path / "out")])
    assert result.exit_code != 0 and "tar" in result.output
