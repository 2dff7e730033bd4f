"""Staff change their own password: the current one first, the new one twice and long
enough; audited; every other session of theirs ends."""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from tests.review.conftest import PASSWORD, Clock, csrf, from_address, sign_in

NEW = "a much longer passphrase of mine"
PAGE = "/staff/account/password"


def _change(client: FlaskClient, current: str, new: str, again: str | None = None) -> Any:
    token = csrf(client.get(PAGE).get_data(as_text=True))
    return client.post(
        PAGE,
        data={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
            "csrf_token": token,
        },
    )


def test_staff_change_their_own_password(
    staff_app: Flask, make_staff, clock: Clock, signed_in
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    desk = from_address(staff_app, "10.8.0.1")
    laptop = from_address(staff_app, "10.8.0.2")
    assert sign_in(desk, user, secret, clock).status_code == 302
    assert sign_in(laptop, user, secret, clock).status_code == 302
    assert PAGE in desk.get("/staff/").get_data(as_text=True)  # linked from every page

    for current, new, again, message in (
        ("not my password", NEW, None, "Your current password was not accepted."),
        (PASSWORD, "too short", None, "At least 12 characters."),
        (PASSWORD, NEW, NEW + "?", "The two passwords are not the same."),
    ):
        refused = _change(desk, current, new, again)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    assert laptop.get("/staff/").status_code == 200  # nothing happened yet

    changed = _change(desk, PASSWORD, NEW)
    assert changed.status_code == 302
    assert "Your password was changed." in desk.get(PAGE).get_data(as_text=True)
    assert desk.get("/staff/").status_code == 200  # this session goes on
    assert laptop.get("/staff/").status_code == 302  # every other one ended

    other = from_address(staff_app, "10.8.0.3")
    assert sign_in(other, user, secret, clock).status_code == 400
    assert sign_in(other, user, secret, clock, password=NEW).status_code == 302
    with staff_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.password_changed")
        ).one()
        assert event.actor_id == user.id
        assert NEW not in str(event.details) and PASSWORD not in str(event.details)


def test_every_role_may_change_its_password(staff_app: Flask, signed_in) -> None:
    for role in Role:
        client = signed_in(f"user-{role.value.replace('_', '-')}", role)
        assert client.get(PAGE).status_code == 200
