"""Creating staff accounts and protecting their secrets."""

import secrets
import uuid
from collections.abc import Iterable

import pyotp
from argon2 import PasswordHasher

from portal.accounts.models import Role, StaffRole, StaffUser
from portal.cases.custody import keyring
from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.crypto import FieldCipher, field_context
from portal.core.db import DbSession

# argon2id with the library's defaults (RFC 9106 "second recommended" profile).
password_hasher = PasswordHasher()


def _totp_context(user_id: uuid.UUID) -> bytes:
    return field_context(StaffUser.__tablename__, "totp_secret", user_id)


def seal_totp_secret(user: StaffUser, secret: str) -> None:
    version, key = keyring().current_internal()
    user.totp_secret_ct = FieldCipher(key).encrypt(secret.encode(), context=_totp_context(user.id))
    user.totp_key_version = version


def totp_secret(user: StaffUser) -> str:
    key = keyring().internal_key(user.totp_key_version)
    return FieldCipher(key).decrypt(user.totp_secret_ct, context=_totp_context(user.id)).decode()


def create_staff(
    session: DbSession,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    *,
    password: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> tuple[StaffUser, str, str]:
    """Create an account; return it with its password and TOTP secret (shown once)."""
    password = password or secrets.token_urlsafe(12)
    secret = pyotp.random_base32()
    user = StaffUser(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name,
        password_hash=password_hasher.hash(password),
        roles=[StaffRole(role=role) for role in roles],
    )
    seal_totp_secret(user, secret)
    session.add(user)
    record_event(
        session,
        "staff.created",
        actor_kind=ActorKind.STAFF if actor_id else ActorKind.SYSTEM,
        actor_id=actor_id,
        target=str(user.id),
        roles=",".join(sorted(str(role) for role in roles)),
    )
    return user, password, secret


def reseal_totp_secrets(session: DbSession) -> int:
    """After an internal key rotation, re-encrypt TOTP seeds under the newest key."""
    version, _ = keyring().current_internal()
    users = session.query(StaffUser).filter(StaffUser.totp_key_version < version).all()
    for user in users:
        seal_totp_secret(user, totp_secret(user))
    return len(users)
