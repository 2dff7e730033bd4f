import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, created_at, uuid_pk


class OutboxEntry(Base):
    """Work promised in the same transaction as the change that needs it.

    Redis may lose a job; this row cannot be lost with it. The relay enqueues rows whose
    job was never enqueued, or whose job vanished or died, until the job completes.
    """

    __tablename__ = "outbox"

    id: Mapped[uuid_pk]
    # Indexed: each job completes its case's rows, however many other rows are pending.
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    job: Mapped[str] = mapped_column(String(32))  # a name in queue.JOB_FUNCTIONS
    created_at: Mapped[created_at]
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))  # an exception class, no data
    # Set when the relay gave up (attempts used up); the case then shows "screening failed".
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The relay's scan: unfinished work, oldest first.
        Index("ix_outbox_pending", "completed_at", "enqueued_at"),
    )
