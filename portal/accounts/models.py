import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.actors import Role
from portal.core.db import Base, UTCDateTime, ciphertext, created_at, enum_column, uuid_pk

# Not an argon2 hash, so no password matches it: an account waiting for its enrolment.
NO_PASSWORD = ""


class StaffUser(Base):
    """A member of consular staff. Signs in with a password and a TOTP code."""

    __tablename__ = "staff_user"

    id: Mapped[uuid_pk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    # argon2id; NO_PASSWORD until the person sets their own through their enrolment link.
    password_hash: Mapped[str] = mapped_column(String(256))
    # The TOTP seed, encrypted under internal key ``totp_key_version``.
    totp_secret_ct: Mapped[ciphertext] = mapped_column("totp_secret")
    totp_key_version: Mapped[int]
    totp_last_counter: Mapped[int | None]  # a code is accepted once only
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A new or reset account's enrolment link: a random token of which only the hash is
    # kept, usable once, until it expires. The administrator hands the link over and never
    # learns the password or the authenticator the person sets up with it.
    enrolment_token_hash: Mapped[bytes | None] = mapped_column(
        LargeBinary(32), unique=True, index=True
    )
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Signing out everywhere or deactivating moves this forward; older sessions end.
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The staff language the person chose ("de" or "en"); None follows their browser.
    language: Mapped[str | None] = mapped_column(String(8))

    roles: Mapped[list["StaffRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> set[Role]:
        return {grant.role for grant in self.roles}

    def __repr__(self) -> str:
        return f"<StaffUser {self.username}>"


class StaffRole(Base):
    __tablename__ = "staff_role"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = enum_column(Role, primary_key=True)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored, so a
    copy of the database cannot be used to take over a session."""

    __tablename__ = "staff_session"

    id: Mapped[uuid_pk]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[created_at]
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship(lazy="joined")
