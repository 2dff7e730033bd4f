"""Staff sign-in: argon2id password, TOTP code used once, server-side sessions; and the
enrolment through which a new or reset account gets its password and authenticator.

A session is a random token in a cookie and its hash in the database, so signing out,
deactivating an account or an idle or absolute timeout ends it everywhere at once, and a
copied cookie stops working the moment the session ends.
"""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import pyotp
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import StaffSession, StaffUser
from portal.accounts.services import (
    check_new_password,
    password_hasher,
    password_matches,
    totp_secret,
)
from portal.accounts.tokens import new_token, token_hash
from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow
from portal.core.digests import keyed_digest
from portal.core.i18n import _ls
from portal.core.refusal import ActionRefused

COOKIE = "staff"
# Writing last_seen on every request would make every page a write; once a minute will do.
_TOUCH_EVERY = timedelta(minutes=1)
_LONGEST_TOKEN = 100  # enrolment tokens are 43 characters; anything longer is not one


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

    Every failure is audited; the answer never says which of the three was wrong. An
    account still waiting for its enrolment never signs in, whatever is typed.
    """
    name = username.strip()
    user = session.scalar(select(StaffUser).where(StaffUser.username == name))
    password_ok = password_matches(user, password)
    now = utcnow()
    enrolled = user is not None and user.totp_enrolled_at is not None
    step = _totp_counter(user, code, now) if user is not None and enrolled and password_ok else None
    fresh = step is not None and user is not None and step > (user.totp_last_counter or -1)
    if user is None or not user.active or not password_ok or not fresh:
        reason = "replayed_code" if step is not None and not fresh else "mismatch"
        _record_failure(session, user, name, address, reason)
        return None
    # The code is claimed with a conditional update, as an enrolment link is: two sign-ins
    # racing with one code both pass the check above before either has written it.
    claimed = session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_counter.is_(None), StaffUser.totp_last_counter < step),
        )
        .values(totp_last_counter=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        _record_failure(session, user, name, address, "replayed_code")
        return None
    set_committed_value(user, "totp_last_counter", step)
    user.last_sign_in_at = now
    if user.password_hash and password_hasher.check_needs_rehash(user.password_hash):
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


def pending_enrolment(session: DbSession, token: str) -> StaffUser | None:
    """The account an enrolment link belongs to, while the link is unused and unexpired.
    The account may be inactive: a reset gives a deactivated account a link, and the
    enrolment makes it active (deactivating takes every link away)."""
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    user = session.scalar(
        select(StaffUser).where(StaffUser.enrolment_token_hash == token_hash(token))
    )
    if user is None or user.enrolment_expires_at is None:
        return None
    return user if utcnow() < user.enrolment_expires_at else None


def complete_enrolment(
    session: DbSession, user: StaffUser, token: str, password: str, code: str, *, address: str
) -> bool:
    """Set the password the person chose and the authenticator whose first code they typed;
    the link is used up. False (nothing changed) when the code does not match.

    The link is claimed with a conditional update, so that two requests racing with one
    link cannot both enrol: the second finds it used and is refused.
    """
    check_new_password(password)
    step = _totp_counter(user, code, utcnow())
    if step is None:
        return False
    claimed = session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id, StaffUser.enrolment_token_hash == token_hash(token))
        .values(enrolment_token_hash=None, enrolment_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ActionRefused(_ls("This link is no longer valid."))
    user.enrolment_token_hash = user.enrolment_expires_at = None
    user.password_hash = password_hasher.hash(password)
    user.totp_enrolled_at, user.totp_last_counter = utcnow(), step
    user.active = True  # a reset account comes back here, and only here
    end_all_sessions(session, user.id)
    record_event(
        session, "staff.enrolled", actor_kind=ActorKind.STAFF, actor_id=user.id, address=address
    )
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


def end_all_sessions(session: DbSession, user_id: uuid.UUID, *, keep: str | None = None) -> None:
    """End every session of an account, but the one whose cookie token is ``keep``."""
    ending = update(StaffSession).where(
        StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)
    )
    if keep:
        ending = ending.where(StaffSession.token_hash != token_hash(keep))
    session.execute(ending.values(ended_at=utcnow()))
