"""Staff administration (creating, resetting and deactivating accounts, changing one's own
password) and the accounts' secrets.

Each change takes the acting member of staff and checks its permission first; ``actor``
None is the operator at the command line, who holds the keys anyway. None of them commits:
the request, or the command, commits once.

Administrators never learn a usable secret: a new or reset account gets an enrolment link,
used once and valid for a limited time, through which the person sets their own password
and authenticator. Until then the account cannot sign in at all.
"""

import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from portal.accounts.models import NO_PASSWORD, StaffRole, StaffUser
from portal.accounts.tokens import new_token, token_hash
from portal.cases.custody import keyring
from portal.cases.lifecycle import hand_over
from portal.cases.models import Case
from portal.core.actors import ActorKind, Role
from portal.core.audit import appending_together, record_event
from portal.core.crypto import FieldCipher, field_context
from portal.core.db import DbSession, utcnow
from portal.core.i18n import STAFF_LANGUAGES, _ls
from portal.core.permissions import Permission, authorize, roles_compatible
from portal.core.refusal import ActionRefused

# argon2id with the library's defaults (RFC 9106 "second recommended" profile).
password_hasher = PasswordHasher()
# Verified against when there is no password to check, so every case takes the same time.
_DECOY_HASH = password_hasher.hash("decoy password, never valid")
ENROLMENT_VALID = timedelta(hours=72)
MIN_PASSWORD_LENGTH = 12


def _totp_context(user_id: uuid.UUID) -> bytes:
    return field_context(StaffUser.__tablename__, "totp_secret", user_id)


def seal_totp_secret(user: StaffUser, secret: str) -> None:
    version, key = keyring().current_internal()
    user.totp_secret_ct = FieldCipher(key).encrypt(secret.encode(), context=_totp_context(user.id))
    user.totp_key_version = version


def totp_secret(user: StaffUser) -> str:
    key = keyring().internal_key(user.totp_key_version)
    return FieldCipher(key).decrypt(user.totp_secret_ct, context=_totp_context(user.id)).decode()


def password_matches(user: StaffUser | None, password: str) -> bool:
    """Does ``password`` open ``user``? An account without a password (waiting for its
    enrolment) or no account at all is checked against a decoy: the same time, never yes."""
    stored = user.password_hash if user is not None else NO_PASSWORD
    try:
        return password_hasher.verify(stored or _DECOY_HASH, password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    """The one rule for a password a person chooses: long enough to withstand guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionRefused(
            _ls("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
        )


def invite_staff(
    session: DbSession,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    *,
    actor: StaffUser | None,
) -> tuple[StaffUser, str]:
    """Create an account; return it with the token of its enrolment link.

    The account signs in only once its owner has followed the link, chosen a password and
    set up an authenticator: whoever hands the link over learns no secret of the account.
    """
    _authorize(actor)
    held = _checked_roles(roles)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise ActionRefused(_ls("This username is taken."))
    user = _new_account(username, display_name, held)
    token = _issue_enrolment(user)
    session.add(user)
    record_event(
        session, "staff.created", **_acting(actor), target=str(user.id), roles=_named(held)
    )
    return user, token


def create_staff(
    session: DbSession,
    username: str,
    display_name: str,
    roles: Iterable[Role],
    *,
    password: str | None = None,
) -> tuple[StaffUser, str, str]:
    """An enrolled account whose password and TOTP secret the caller learns (returned with
    it): development demo accounts and tests only. Production refuses, so that no real
    account's secrets are ever known to anyone but their owner; staff get ``invite_staff``.
    """
    if current_app.config["PORTAL_ENV"] == "production":
        raise RuntimeError("accounts with known secrets are never created in production")
    held = _checked_roles(roles)
    password = password or secrets.token_urlsafe(12)
    user = _new_account(username, display_name, held)
    user.password_hash = password_hasher.hash(password)
    secret = totp_secret(user)
    user.totp_enrolled_at = utcnow()
    session.add(user)
    record_event(session, "staff.created", **_acting(None), target=str(user.id), roles=_named(held))
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
    # An enrolment link is what makes an account active again (a reset issues one): an
    # unused one from before must not.
    user.enrolment_token_hash = user.enrolment_expires_at = None
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
            hand_over(session, case, None, **_acting(actor), cause="staff_deactivated")
    session.flush()
    return len(cases)


def reset_staff(session: DbSession, user: StaffUser, *, actor: StaffUser | None) -> str:
    """Take away the account's password and authenticator and end its sessions; return the
    token of a new enrolment link, through which the owner sets up new ones.

    An earlier link stops working. A deactivated account stays inactive, holding no case,
    until its owner has enrolled through the link.
    """
    from portal.accounts.auth import end_all_sessions

    _authorize(actor)
    user.password_hash = NO_PASSWORD
    seal_totp_secret(user, pyotp.random_base32())
    user.totp_enrolled_at, user.totp_last_counter = None, None
    token = _issue_enrolment(user)
    end_all_sessions(session, user.id)
    record_event(session, "staff.reset", **_acting(actor), target=str(user.id))
    return token


def choose_language(session: DbSession, actor: StaffUser, language: str) -> None:
    """Keep the staff language the person chose for their next pages and sign-ins.

    Not audited: a display preference, like the applicants' language, not an access.
    """
    if language not in STAFF_LANGUAGES:
        raise ValueError(f"not a staff language: {language!r}")
    actor.language = language
    session.flush()


def change_own_password(
    session: DbSession,
    actor: StaffUser,
    current_password: str,
    new_password: str,
    *,
    keep_session: str | None,
) -> None:
    """A member of staff changes their password; their other sessions end (a browser left
    signed in elsewhere, or a session someone took over, is signed out)."""
    from portal.accounts.auth import end_all_sessions

    authorize(actor, Permission.OWN_ACCOUNT)
    if not password_matches(actor, current_password):
        raise ActionRefused(_ls("Your current password was not accepted."))
    check_new_password(new_password)
    actor.password_hash = password_hasher.hash(new_password)
    end_all_sessions(session, actor.id, keep=keep_session)
    record_event(session, "staff.password_changed", **_acting(actor), target=str(actor.id))


def _checked_roles(roles: Iterable[Role]) -> list[Role]:
    held = sorted(set(roles))
    if not held:
        raise ActionRefused(_ls("At least one role."))
    if not roles_compatible(held):
        raise ActionRefused(
            _ls("An administrator holds no other role. Create a separate account for that work.")
        )
    return held


def _new_account(username: str, display_name: str, roles: list[Role]) -> StaffUser:
    """An account with no password, and an authenticator secret nobody has seen yet."""
    user = StaffUser(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name,
        password_hash=NO_PASSWORD,
        roles=[StaffRole(role=role) for role in roles],
    )
    seal_totp_secret(user, pyotp.random_base32())
    return user


def _issue_enrolment(user: StaffUser) -> str:
    """A new enrolment link for the account; an earlier one stops working."""
    token = new_token()
    user.enrolment_token_hash = token_hash(token)
    user.enrolment_expires_at = utcnow() + ENROLMENT_VALID
    return token


def _named(roles: list[Role]) -> str:
    return ",".join(str(role) for role in roles)


def _authorize(actor: StaffUser | None) -> None:
    if actor is not None:
        authorize(actor, Permission.STAFF_MANAGE)


def _acting(actor: StaffUser | None) -> dict[str, Any]:
    if actor is None:
        return {"actor_kind": ActorKind.SYSTEM, "actor_id": None}
    return {"actor_kind": ActorKind.STAFF, "actor_id": actor.id}
