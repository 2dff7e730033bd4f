import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.cases.models.case import CaseOwned
from portal.cases.states import ActorKind, DocumentKind, MessageDirection
from portal.core.db import Base, UTCDateTime, ciphertext, created_at, enum_column, uuid_pk
from portal.core.sealed import TEXT, Sealed
from portal.core.text import clean_filename

if TYPE_CHECKING:
    from portal.cases.models.case import Case


class Document(CaseOwned, Base):
    """An uploaded file. Its encrypted bytes live in blob storage under the row's uuid."""

    __tablename__ = "document"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("message.id", ondelete="SET NULL")
    )
    kind: Mapped[DocumentKind] = enum_column(DocumentKind)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    uploaded_by: Mapped[ActorKind] = enum_column(ActorKind)
    created_at: Mapped[created_at]

    filename_ct: Mapped[ciphertext | None] = mapped_column("filename")
    filename = Sealed(TEXT)  # shown to people, never used as a path

    case: Mapped["Case"] = relationship()

    @property
    def shown_filename(self) -> str:
        """The name to show: cleaned on upload, and again here for files kept before."""
        return clean_filename(self.filename or "")


class Message(CaseOwned, Base):
    """A message between the consulate and the applicant, readable by both."""

    __tablename__ = "message"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[MessageDirection] = enum_column(MessageDirection)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    is_information_request: Mapped[bool] = mapped_column(default=False)
    in_reply_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("message.id"))
    created_at: Mapped[created_at]
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An information request's deadline, as it was set (a reminder is a request of its own
    # with a new one); the case keeps the deadline of the request still open.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    body_ct: Mapped[ciphertext | None] = mapped_column("body")
    body = Sealed(TEXT)

    case: Mapped["Case"] = relationship()


class Note(CaseOwned, Base):
    """An internal note: sealed with the staff-only key, which the applicant cannot unwrap."""

    __tablename__ = "note"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[created_at]

    body_ct: Mapped[ciphertext | None] = mapped_column("body")
    body = Sealed(TEXT, scope="staff")

    case: Mapped["Case"] = relationship()


class CaseExport(CaseOwned, Base):
    """One printable export of a case: who made it, when, and why.

    The reason is free text and may name people (the applicant's lawyer, a relative), so it
    is sealed with the staff key and stays out of the audit trail, whose event names only
    this row; staff who may open the case read it there, and it is printed on the export.
    """

    __tablename__ = "case_export"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    exported_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[created_at]

    reason_ct: Mapped[ciphertext | None] = mapped_column("reason")
    reason = Sealed(TEXT, scope="staff")

    case: Mapped["Case"] = relationship()
