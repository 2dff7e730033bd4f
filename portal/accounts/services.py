"""Staff administration (creating, deactivating and resetting accounts) and the accounts'
secrets.

Each change takes the acting administrator and checks ``STAFF_MANAGE`` first; ``actor``
None is the operator at the command line, who holds the keys anyway. None of them commits:
the request, or the command, commits once.
"""

import secrets
import uuid
from collections.abc import Iterable
from typing import Any

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.accounts.models import StaffRole, StaffUser
from portal.cases.custody import keyring
from portal.cases.models import Case
from portal.core.actors import ActorKind, Role
from portal.core.audit import appending_together, record_event
from portal.core.crypto import FieldCipher, field_context
from portal.core.db import DbSession, utcnow
from portal.core.permissions import Permission, authorize

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
    actor: StaffUser | None = None,
    enrolled: bool = True,
) -> tuple[StaffUser, str, str]:
    """Create an account; return it with its password and TOTP secret (shown once)."""
    _authorize(actor)
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
    if enrolled:  # the secret was handed over already (printed for a demo account)
        user.totp_enrolled_at = utcnow()
    session.add(user)
    record_event(
        session,
        "staff.created",
        **_acting(actor),
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


def deactivate_staff(session: DbSession, user: StaffUser, *, actor: StaffUser | None) -> None:
    """Deactivate an account; every session of it ends at once, and its cases go back to
    the unassigned queue."""
    from portal.accounts.auth import end_all_sessions

    _authorize(actor)
    user.active = False
    end_all_sessions(session, user.id)
    returned = _return_cases(session, user, actor)
    record_event(
        session,
        "staff.deactivated",
        **_acting(actor),
        target=str(user.id),
        returned_cases=str(returned),
    )


def _return_cases(session: DbSession, user: StaffUser, actor: StaffUser | None) -> int:
    """Unassign every case ``user`` holds, each with its audit event; return how many.

    A caseworker sees only unassigned cases and their own, so a case left with an inactive
    account would be out of every caseworker's sight, its visa or arrival never recorded.
    Closed cases go too: a rejected case can be reopened.
    """
    cases = session.scalars(select(Case).where(Case.assignee_id == user.id)).all()
    with appending_together(session):
        for case in cases:
            case.assignee_id = None
            record_event(
                session,
                "case.assigned",
                **_acting(actor),
                case_id=case.id,
                assignee="",
                cause="staff_deactivated",
            )
    session.flush()
    return len(cases)


def reset_staff(session: DbSession, user: StaffUser, *, actor: StaffUser | None) -> str:
    """A new password and a new TOTP secret to enrol; every session of the account ends."""
    from portal.accounts.auth import end_all_sessions

    _authorize(actor)
    password = secrets.token_urlsafe(12)
    user.password_hash = password_hasher.hash(password)
    seal_totp_secret(user, pyotp.random_base32())
    user.totp_enrolled_at, user.totp_last_counter, user.active = None, None, True
    end_all_sessions(session, user.id)
    record_event(session, "staff.reset", **_acting(actor), target=str(user.id))
    return password


def _authorize(actor: StaffUser | None) -> None:
    if actor is not None:
        authorize(actor, Permission.STAFF_MANAGE)


def _acting(actor: StaffUser | None) -> dict[str, Any]:
    if actor is None:
        return {"actor_kind": ActorKind.SYSTEM, "actor_id": None}
    return {"actor_kind": ActorKind.STAFF, "actor_id": actor.id}
