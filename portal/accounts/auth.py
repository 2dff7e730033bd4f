"""Staff sign-in: argon2id password, TOTP code used once, server-side sessions.

A session is a random token in a cookie and its hash in the database, so signing out,
deactivating an account or an idle or absolute timeout ends it everywhere at once, and a
copied cookie stops working the moment the session ends.
"""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select, update

from portal.accounts.models import StaffSession, StaffUser
from portal.accounts.services import password_hasher, totp_secret
from portal.accounts.tokens import keyed_digest, new_token, token_hash
from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow

COOKIE = "staff"
# Verified against when the username is unknown, so both cases take the same time.
_DECOY_HASH = password_hasher.hash("decoy password, never valid")
# Writing last_seen on every request would make every page a write; once a minute will do.
_TOUCH_EVERY = timedelta(minutes=1)


def password_matches(user: StaffUser | None, password: str) -> bool:
    try:
        return password_hasher.verify(user.password_hash if user else _DECOY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def _totp_counter(user: StaffUser, code: str, now: datetime) -> int | None:
    """The time step a code belongs to (this one or a neighbour, for clock drift)."""
    totp = pyotp.TOTP(totp_secret(user))
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code.strip().replace(" ", "")):
            return step
    return None


def authenticate(
    session: DbSession, username: str, password: str, code: str, *, address: str
) -> StaffUser | None:
    """The account, if all three match and the code was not used before; else None.

    Every failure is audited; the answer never says which of the three was wrong.
    """
    name = username.strip()
    user = session.scalar(select(StaffUser).where(StaffUser.username == name))
    password_ok = password_matches(user, password)
    now = utcnow()
    step = _totp_counter(user, code, now) if user is not None and password_ok else None
    fresh = step is not None and user is not None and step > (user.totp_last_counter or -1)
    if user is None or not user.active or not password_ok or not fresh:
        reason = "replayed_code" if step is not None and not fresh else "mismatch"
        _record_failure(session, user, name, address, reason)
        return None
    user.totp_last_counter = step
    user.last_sign_in_at = now
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    return user


def _record_failure(
    session: DbSession, user: StaffUser | None, name: str, address: str, reason: str
) -> None:
    """Who was tried, from where. Staff usernames and the addresses of their computers are
    not applicant data; they show an attack and whom it aims at. A name that matches no
    account is kept only as a keyed digest (repeats still show): people type their password
    into the username field, and the audit log must not teach its readers a password."""
    tried: dict[str, Any] = (
        {"username": user.username}
        if user is not None
        else {"username_digest": keyed_digest("audited username", name)[:16]}
    )
    record_event(
        session,
        "staff.sign_in_failed",
        actor_kind=ActorKind.STAFF,
        actor_id=user.id if user else None,
        reason=reason,
        address=address,
        **tried,
    )


def needs_enrolment(user: StaffUser | None, password: str) -> bool:
    """A new account whose TOTP is not set up yet: the password alone leads to enrolment."""
    return (
        user is not None
        and user.active
        and user.totp_enrolled_at is None
        and password_matches(user, password)
    )


def confirm_enrolment(session: DbSession, user: StaffUser, code: str) -> bool:
    """The first code from the authenticator app proves the QR code was scanned."""
    step = _totp_counter(user, code, utcnow())
    if step is None:
        return False
    user.totp_enrolled_at, user.totp_last_counter = utcnow(), step
    record_event(session, "staff.totp_enrolled", actor_kind=ActorKind.STAFF, actor_id=user.id)
    return True


def open_session(session: DbSession, user: StaffUser, *, address: str) -> str:
    """Start a session for a user who just signed in; return the cookie's token."""
    token = new_token()
    session.add(StaffSession(token_hash=token_hash(token), user_id=user.id, last_seen_at=utcnow()))
    record_event(
        session, "staff.signed_in", actor_kind=ActorKind.STAFF, actor_id=user.id, address=address
    )
    return token


def _expired(row: StaffSession, now: datetime) -> bool:
    config = current_app.config
    idle = timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=config["STAFF_SESSION_ABSOLUTE_HOURS"])
    return now - row.last_seen_at > idle or now - row.created_at > absolute


def session_user(session: DbSession, token: str | None) -> StaffUser | None:
    """The signed-in, active user behind a cookie token; ends expired sessions."""
    if not token:
        return None
    row = session.scalar(
        select(StaffSession).where(
            StaffSession.token_hash == token_hash(token), StaffSession.ended_at.is_(None)
        )
    )
    if row is None:
        return None
    now = utcnow()
    if _expired(row, now) or not row.user.active:
        row.ended_at = now  # committed with the request, which answers "sign in again"
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return row.user


def end_session(session: DbSession, token: str | None) -> None:
    if token:
        session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == token_hash(token), StaffSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all_sessions(session: DbSession, user_id: uuid.UUID) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
