"""Staff fixtures: accounts with known secrets, signing in with a real TOTP code."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.accounts import auth, throttle
from portal.accounts.models import StaffUser
from portal.accounts.services import create_staff
from portal.apply.services import submit_case
from portal.cases.models import Case
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from tests.factories import make_case, put_watchlist_in_force

PASSWORD = "correct horse battery staple"


class Clock:
    """Moves the sign-in clock on by one TOTP step per sign-in, so no code repeats; the
    sign-in limits and enrolment links follow the same clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utcnow()
        for module in (auth, throttle):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def tick(self, seconds: float = 30) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def staff_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def make_staff(staff_app: Flask) -> Callable[..., tuple[StaffUser, str]]:
    def factory(name: str, *roles: Role) -> tuple[StaffUser, str]:
        with staff_app.app_context():
            user, _password, secret = create_staff(
                db.session, name, name.title(), list(roles), password=PASSWORD
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user, secret

    return factory


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def code_for(secret: str, clock: Clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def sign_in(
    client: FlaskClient, user: StaffUser, secret: str, clock: Clock, password: str = PASSWORD
) -> Any:
    clock.tick()
    return attempt_sign_in(client, user.username, password, code_for(secret, clock))


def attempt_sign_in(client: FlaskClient, username: str, password: str, code: str) -> Any:
    """One try at the sign-in form, with whatever was typed."""
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post(
        "/staff/sign-in",
        data={"username": username, "password": password, "code": code, "csrf_token": token},
    )


def from_address(app: Flask, address: str) -> FlaskClient:
    """A browser on another computer."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def signed_in(staff_app: Flask, make_staff: Any, clock: Clock) -> Callable[..., FlaskClient]:
    """A client signed in as a new account with the given roles."""

    def factory(name: str, *roles: Role) -> FlaskClient:
        user, secret = make_staff(name, *roles)
        client = staff_app.test_client()
        response = sign_in(client, user, secret, clock)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user  # type: ignore[attr-defined]
        return client

    return factory


@pytest.fixture
def watchlist_in_force(staff_app: Flask) -> None:
    """A watch list in force, as in production, so that a case nothing speaks against is
    screened clear (without one, screening needs a security officer)."""
    with staff_app.app_context():
        put_watchlist_in_force(db.session)
        db.session.remove()


@pytest.fixture
def submitted_case(staff_app: Flask) -> Callable[..., Case]:
    """A case through intake, in review (the worker's job run directly)."""

    def factory(**fields: Any) -> Case:
        with staff_app.app_context():
            case, _code = make_case(db.session)
            for name, value in fields.items():
                setattr(case, name, value)
            return through_intake(case)

    return factory


def through_intake(case: Case) -> Case:
    """Submit a draft and run its intake job as the worker would (in an app context);
    the case as stored afterwards, detached for the test to read."""
    from portal.intake.tasks import process_case

    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    process_case(str(case_id))
    stored = db.session.get(Case, case_id)
    db.session.expunge(stored)
    return stored


def update_case(app: Flask, case: Case, **values: Any) -> None:
    """Set columns of a case directly, as the queue tests need them (the triggers run)."""
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case.id).values(**values))
        db.session.commit()
