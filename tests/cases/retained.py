"""Cases with a document in the blob store, saved as if made and closed some days ago, and
the checks that one can or cannot be read: shared by the retention tests and the tests of
the backup and restore scripts."""

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.cases import custody
from portal.cases.custody import open_with_access_code, open_with_intake_key
from portal.cases.models import BlindIndex, Case, Document
from portal.cases.states import ActorKind, CaseStatus, DocumentKind
from portal.core import audit, crypto
from portal.core.db import utcnow
from portal.extensions import db
from tests.factories import make_case

DOCUMENT = b"%PDF-1.4 Tazkira scan of the principal"


@dataclass
class Saved:
    id: uuid.UUID
    reference: str
    code: str
    document_id: uuid.UUID


def saved_case(
    status: CaseStatus = CaseStatus.DRAFT,
    *,
    closed_days_ago: float = 0,
    created_days_ago: float = 0,
) -> Saved:
    """A case with one document in the blob store, committed; as if made ``created_days_ago``
    (its audit events too) and, unless a draft, closed ``closed_days_ago``."""
    then = utcnow() - timedelta(days=created_days_ago)
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(audit, "utcnow", lambda: then)
        case, code = make_case(db.session)
        case.created_at = then
        document = Document(
            id=uuid.uuid4(),
            case=case,
            kind=DocumentKind.IDENTITY,
            content_type="application/pdf",
            size_bytes=len(DOCUMENT),
            uploaded_by=ActorKind.APPLICANT,
        )
        document.filename = "tazkira.pdf"
        custody.blob_store().put(
            case.sealed_cipher(custody.CASE), case.id, document.id, io.BytesIO(DOCUMENT)
        )
        db.session.add(document)
        db.session.add(BlindIndex(case_id=case.id, purpose="document_number", digest=bytes(32)))
        if status != CaseStatus.DRAFT:
            case.status = status
            case.status_changed_at = utcnow() - timedelta(days=closed_days_ago)
        db.session.commit()
    saved = Saved(case.id, case.reference, code, document.id)
    db.session.remove()
    return saved


def readable_document(saved: Saved) -> bytes:
    """The case's document, decrypted with the intake key (an audited decryption)."""
    case = db.session.get(Case, saved.id)
    assert case is not None
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    return b"".join(custody.document_chunks(case, saved.document_id))


def assert_unreadable(saved: Saved) -> None:
    """Neither the access code nor the intake key opens the case, and its blobs are gone."""
    assert open_with_access_code(db.session, saved.reference, saved.code) is None
    case = db.session.get(Case, saved.id)
    assert case is not None
    with pytest.raises(crypto.DecryptionError):
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    assert not custody.blob_store().holds_case(saved.id)
    db.session.rollback()
