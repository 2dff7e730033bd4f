import uuid

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, created_at, uuid_pk


class KeyWrap(Base):
    """A case key, stored only wrapped.

    ``scope`` says which key (``case``: the applicant's data; ``staff``: internal-only data),
    ``method`` how it is wrapped (``intake``: sealed to intake key pair ``key_version``;
    ``access_code``: under a scrypt key from the applicant's access code and ``salt``;
    ``internal``: under internal key ``key_version``). Deleting a case's rows here is
    crypto-shredding: its data can no longer be read anywhere, backups included.
    """

    __tablename__ = "key_wrap"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    key_version: Mapped[int | None]
    salt: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    scrypt_n: Mapped[int | None]
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[created_at]

    __table_args__ = (
        UniqueConstraint("case_id", "scope", "method"),
        # Rotation walks the wraps made under an old key version.
        Index("ix_key_wrap_rotation", "method", "key_version"),
    )
