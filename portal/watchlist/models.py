import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, ciphertext, created_at, uuid_pk


class WatchList(Base):
    """One imported version of the watch list. Importing a new one replaces it whole.

    Its entries are encrypted under a random list key, itself wrapped under internal key
    ``key_version``: rotating the internal key re-wraps one key, not every entry. A list
    that was replaced keeps this row (when, how many) but loses its key and its entries.
    """

    __tablename__ = "watchlist"

    id: Mapped[uuid_pk]
    version: Mapped[int] = mapped_column(unique=True)
    imported_at: Mapped[created_at]
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entry_count: Mapped[int]
    key_version: Mapped[int | None]
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)


class WatchListEntry(Base):
    """One listed person: name, aliases, date of birth and reference, sealed as one JSON."""

    __tablename__ = "watchlist_entry"

    id: Mapped[uuid_pk]
    list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("watchlist.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int]  # in the imported file, so operators can find an entry again
    payload_ct: Mapped[ciphertext] = mapped_column("payload")
