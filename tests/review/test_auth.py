"""Staff sign-in: password and TOTP, codes used once, sessions that really end."""

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.accounts.auth import authenticate
from portal.accounts.models import StaffSession, StaffUser
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


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.CASEWORKER, "/staff/"),
        (Role.DECIDER, "/staff/"),
        (Role.SECURITY_OFFICER, "/staff/"),
        (Role.ENVOY, "/staff/reports/"),
        (Role.ADMIN, "/staff/alerts"),
    ],
)
def test_everyone_lands_on_a_page_of_their_own_never_a_403(
    staff_app: Flask, make_staff, clock: Clock, role: Role, landing: str
) -> None:
    user, secret = make_staff(f"landing-{role.value.replace('_', '-')}", role)
    client = staff_app.test_client()
    response = sign_in(client, user, secret, clock)
    assert response.status_code == 302 and response.location.endswith(landing)
    assert client.get(response.location).status_code == 200


def test_two_sign_ins_racing_with_one_code_open_one_session(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    """Both read the account before either had written the code as used: the check
    alone let both in (five sessions from one code, sent at once)."""
    user, secret = make_staff("amira", Role.CASEWORKER)
    code = code_for(secret, clock)
    with staff_app.app_context():
        first, second = Session(db.engine), Session(db.engine)
        # Read before the first writes, and held (the identity map keeps it while it is).
        read_early = second.scalar(select(StaffUser).where(StaffUser.username == "amira"))
        assert authenticate(first, "amira", PASSWORD, code, address="127.0.0.1") is not None
        first.commit()
        assert authenticate(second, "amira", PASSWORD, code, address="127.0.0.2") is None
        second.commit()
        assert read_early.totp_last_counter is not None
        failed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.sign_in_failed")
        ).one()
        assert failed.details["reason"] == "replayed_code"
        first.close()
        second.close()


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


def _copy_of(staff_app: Flask, client) -> Any:  # type: ignore[no-untyped-def]
    copy = staff_app.test_client()
    copy.set_cookie("staff", client.get_cookie("staff", path="/staff").value, path="/staff")
    return copy


@pytest.mark.parametrize("token", ["forged", "", None])
def test_sign_out_ends_the_session_whatever_the_form_token(
    staff_app: Flask, signed_in, token: str | None
) -> None:
    """An expired or broken token (a page left open overnight) must not keep anyone
    signed in: ending one's own session is the one thing done without a valid token."""
    client = signed_in("amira", Role.CASEWORKER)
    copy = _copy_of(staff_app, client)
    response = client.post("/staff/sign-out", data={} if token is None else {"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in")
    assert copy.get("/staff/").status_code == 302  # the session itself ended
    assert client.get("/staff/").status_code == 302


def test_an_expired_form_token_signs_out_too(staff_app: Flask, signed_in) -> None:
    client = signed_in("amira", Role.CASEWORKER)
    token = csrf(client.get("/staff/").get_data(as_text=True))
    staff_app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is older than that
    copy = _copy_of(staff_app, client)
    assert client.post("/staff/sign-out", data={"csrf_token": token}).status_code == 302
    assert copy.get("/staff/").status_code == 302


def test_sign_out_is_a_post_and_other_actions_still_need_a_valid_token(
    staff_app: Flask, signed_in
) -> None:
    worker = signed_in("amira", Role.CASEWORKER)
    admin = signed_in("root", Role.ADMIN)
    assert admin.get("/staff/sign-out").status_code == 405  # a link cannot sign anyone out
    forged = admin.post(
        f"/staff/admin/staff/{worker.user.id}/deactivate", data={"csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert worker.get("/staff/").status_code == 200  # not deactivated
    assert admin.get("/staff/admin/staff").status_code == 200  # and nobody signed out


def _without_code(client, username: str, password: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    response = client.post(
        "/staff/sign-in",
        data={"username": username, "password": password, "code": "", "csrf_token": token},
    )
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
    return response.status_code, page.replace(f'value="{username}"', "")


def test_a_sign_in_without_a_code_fails_like_a_wrong_password(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    enrolled, _secret = make_staff("amira", Role.CASEWORKER)
    client = staff_app.test_client()
    # An enrolled account still needs its code; the answer does not say which part was wrong.
    right_password = _without_code(client, enrolled.username, PASSWORD)
    wrong_password = _without_code(client, enrolled.username, "wrong")
    unknown_name = _without_code(client, "nobody", PASSWORD)
    assert right_password == wrong_password == unknown_name
    assert right_password[0] == 400  # the code is asked for, whatever the password
    assert client.get("/staff/").status_code == 302
