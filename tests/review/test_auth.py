"""Staff sign-in: password and TOTP, codes used once, sessions that really end."""

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, update

from portal.accounts.models import StaffSession
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.review.conftest import PASSWORD, Clock, code_for, csrf, sign_in


def test_a_correct_password_and_code_open_the_queue(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    client = staff_app.test_client()
    response = sign_in(client, user, secret, clock)
    assert response.status_code == 302 and response.location.endswith("/staff/")
    assert client.get("/staff/").status_code == 200


def test_an_administrator_lands_on_the_staff_accounts(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    """Not on the queue, which an administrator may not see (it answered 403)."""
    user, secret = make_staff("root", Role.ADMIN)
    client = staff_app.test_client()
    response = sign_in(client, user, secret, clock)
    assert response.status_code == 302 and response.location.endswith("/staff/admin/staff")
    assert client.get(response.location).status_code == 200


def test_a_code_cannot_be_used_twice(staff_app: Flask, make_staff, clock: Clock) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    assert sign_in(staff_app.test_client(), user, secret, clock).status_code == 302
    # The same code again, from another browser, within its 30 seconds.
    other = staff_app.test_client()
    token = csrf(other.get("/staff/sign-in").get_data(as_text=True))
    replay = other.post(
        "/staff/sign-in",
        data={
            "username": user.username,
            "password": PASSWORD,
            "code": code_for(secret, clock),
            "csrf_token": token,
        },
    )
    assert replay.status_code == 400
    assert "A code can be used only once." in replay.get_data(as_text=True)
    with staff_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.sign_in_failed")
        ).one()
        assert event.details == {
            "reason": "replayed_code",
            "username": "amira",
            "address": "127.0.0.1",
        }


def test_a_wrong_password_or_an_unknown_name_get_the_same_answer(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    client = staff_app.test_client()
    answers = []
    for username, password in ((user.username, "wrong"), ("nobody", PASSWORD)):
        clock.tick()
        token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
        response = client.post(
            "/staff/sign-in",
            data={
                "username": username,
                "password": password,
                "code": code_for(secret, clock),
                "csrf_token": token,
            },
        )
        answers.append((response.status_code, "not accepted" in response.get_data(as_text=True)))
    assert answers == [(400, True), (400, True)]


def test_a_copied_cookie_stops_working_after_sign_out(staff_app: Flask, signed_in) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    stolen = staff_app.test_client()
    stolen.set_cookie("staff", client.get_cookie("staff", path="/staff").value, path="/staff")
    assert stolen.get("/staff/").status_code == 200  # a copy works while the session lives
    token = csrf(client.get("/staff/").get_data(as_text=True))
    assert client.post("/staff/sign-out", data={"csrf_token": token}).status_code == 302
    assert stolen.get("/staff/").status_code == 302  # ...and not a moment longer
    assert client.get("/staff/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(staff_app: Flask, signed_in) -> None:
    worker = signed_in("amira", Role.CASEWORKER)
    admin = signed_in("root", Role.ADMIN)
    token = csrf(admin.get("/staff/admin/staff").get_data(as_text=True))
    response = admin.post(
        f"/staff/admin/staff/{worker.user.id}/deactivate", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert worker.get("/staff/").status_code == 302


def test_an_idle_session_ends(staff_app: Flask, signed_in) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    with staff_app.app_context():
        db.session.execute(
            update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
        db.session.commit()
    assert client.get("/staff/").status_code == 302
    with staff_app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(StaffSession.ended_at.is_not(None))) == 1
        )


def test_a_session_ends_after_its_absolute_lifetime_however_busy(
    staff_app: Flask, signed_in
) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    hours = staff_app.config["STAFF_SESSION_ABSOLUTE_HOURS"]
    with staff_app.app_context():
        db.session.execute(  # active a minute ago, but signed in longer ago than allowed
            update(StaffSession).values(
                created_at=utcnow() - timedelta(hours=hours, minutes=1),
                last_seen_at=utcnow() - timedelta(minutes=1),
            )
        )
        db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_staff_commands_deactivate_and_reset(staff_app: Flask, signed_in) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    runner = staff_app.test_cli_runner()
    with staff_app.app_context():
        result = runner.invoke(args=["staff", "deactivate", "amira"])
        assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    with staff_app.app_context():
        result = runner.invoke(args=["staff", "reset", "amira"])
        assert result.exit_code == 0 and "/staff/enrol/" in result.output
        assert runner.invoke(args=["staff", "reset", "nobody"]).exit_code != 0
