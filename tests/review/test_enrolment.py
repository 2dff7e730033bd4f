"""Administrators never learn a usable secret: a new or reset account gets an enrolment
link, used once and for 72 hours at most, through which the person chooses their own
password and sets up their own authenticator; and an administrator holds no other role."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import StaffRole, StaffUser
from portal.accounts.services import create_staff
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.refusal import ActionRefused
from portal.extensions import db
from tests.review.conftest import (
    Clock,
    attempt_sign_in,
    code_for,
    csrf,
    from_address,
    sign_in,
)

CHOSEN = "a passphrase only I know"


def _admin_page(admin: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf(admin.get("/staff/admin/staff").get_data(as_text=True))
    return admin.post(path, data={**data, "csrf_token": token})


def _create(admin: FlaskClient, username: str, *roles: str) -> Any:
    return _admin_page(
        admin,
        "/staff/admin/staff",
        {"username": username, "display_name": username.title(), "roles": list(roles)},
    )


def _reset(admin: FlaskClient, user: StaffUser) -> Any:
    return _admin_page(admin, f"/staff/admin/staff/{user.id}/reset", {})


def _link(page: str) -> str:
    match = re.search(r"/staff/enrol/[A-Za-z0-9_\-]+", page)
    assert match, "no enrolment link on the page"
    return match.group(0)


def _candidates(page: str) -> set[str]:
    """Everything on a page that could be a password or a secret: every word, and every
    long run of letters, digits, dashes and underscores (inside links too)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return {word for word in text.split() if len(word) >= 8} | set(
        re.findall(r"[A-Za-z0-9_\-]{12,}", page)
    )


def _opens(app: Flask, username: str, password: str, number: int) -> bool:
    """Does ``password`` sign in, or lead to setting up an authenticator (as a password
    an administrator was shown used to)?"""
    client = from_address(app, f"10.77.{number // 250}.{number % 250}")
    response = attempt_sign_in(client, username, password, "000000")
    return response.status_code == 302 or "<svg" in response.get_data(as_text=True)


def _enrol(client: FlaskClient, link: str, clock: Clock, password: str = CHOSEN) -> Any:
    """Follow the link as the person would: choose a password, add the key shown to an
    authenticator app, type its first code. Returns the response and the key."""
    page = client.get(link).get_data(as_text=True)
    assert "<svg" in page, "no QR code to scan"
    key = re.search(r'class="totp-key">([A-Z2-7 ]+)<', page)
    assert key, "no key written out"
    secret = key.group(1).replace(" ", "")
    clock.tick()
    response = client.post(
        link,
        data={
            "new_password": password,
            "new_password_again": password,
            "code": code_for(secret, clock),
            "csrf_token": csrf(page),
        },
    )
    return response, secret


def _secret_of(username: str) -> str:
    from portal.accounts.services import totp_secret

    user = db.session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
    return totp_secret(user)


def test_a_reset_gives_the_administrator_no_secret_that_signs_in(
    staff_app: Flask, signed_in, make_staff, clock: Clock
) -> None:
    decider = signed_in("bernd", Role.DECIDER)
    admin = signed_in("root", Role.ADMIN)
    with staff_app.app_context():
        old_secret = _secret_of("bernd")

    page = _reset(admin, decider.user).get_data(as_text=True)

    candidates = _candidates(page)
    assert candidates
    opened = [word for n, word in enumerate(candidates) if _opens(staff_app, "bernd", word, n)]
    assert opened == []
    # The reset took the old secrets away and ended the decider's session.
    assert decider.get("/staff/").status_code == 302
    assert (
        sign_in(from_address(staff_app, "10.5.0.1"), decider.user, old_secret, clock).status_code
        == 400
    )

    # The link on the page is the way back in, for the person it is handed to.
    person = from_address(staff_app, "10.5.0.2")
    response, new_secret = _enrol(person, _link(page), clock)
    assert response.status_code == 302
    assert person.get("/staff/").status_code == 200
    assert new_secret != old_secret
    again = from_address(staff_app, "10.5.0.3")
    assert sign_in(again, decider.user, old_secret, clock, password=CHOSEN).status_code == 400
    assert sign_in(again, decider.user, new_secret, clock, password=CHOSEN).status_code == 302


def test_a_new_account_signs_in_only_after_enrolling_through_its_link(
    staff_app: Flask, signed_in, clock: Clock
) -> None:
    admin = signed_in("root", Role.ADMIN)
    created = _create(admin, "new.worker", "caseworker")
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    candidates = _candidates(page)
    assert not [w for n, w in enumerate(candidates) if _opens(staff_app, "new.worker", w, n)]

    newcomer = from_address(staff_app, "10.6.0.1")
    link = _link(page)
    form = newcomer.get(link).get_data(as_text=True)
    # A password too short, then two that differ: told so, and nothing is used up.
    for first, second, message in (
        ("short", "short", "At least 12 characters."),
        (CHOSEN, CHOSEN + "!", "The two passwords are not the same."),
    ):
        refused = newcomer.post(
            link,
            data={
                "new_password": first,
                "new_password_again": second,
                "code": "123456",
                "csrf_token": csrf(form),
            },
        )
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    response, _secret = _enrol(newcomer, link, clock)
    assert response.status_code == 302
    assert newcomer.get("/staff/").status_code == 200
    with staff_app.app_context():
        enrolled = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.enrolled")
        ).one()
        assert enrolled.details == {"address": "10.6.0.1"}


def test_a_wrong_first_code_keeps_the_link(staff_app: Flask, signed_in, clock: Clock) -> None:
    admin = signed_in("root", Role.ADMIN)
    link = _link(_create(admin, "new.worker", "caseworker").get_data(as_text=True))
    newcomer = staff_app.test_client()
    form = newcomer.get(link).get_data(as_text=True)
    wrong = newcomer.post(
        link,
        data={
            "new_password": CHOSEN,
            "new_password_again": CHOSEN,
            "code": "000000",
            "csrf_token": csrf(form),
        },
    )
    assert wrong.status_code == 400
    assert "That code did not match" in wrong.get_data(as_text=True)
    assert _enrol(newcomer, link, clock)[0].status_code == 302


def test_an_enrolment_link_works_once(staff_app: Flask, signed_in, clock: Clock) -> None:
    admin = signed_in("root", Role.ADMIN)
    link = _link(_create(admin, "new.worker", "caseworker").get_data(as_text=True))
    assert _enrol(staff_app.test_client(), link, clock)[0].status_code == 302

    someone_else = staff_app.test_client()
    used = someone_else.get(link)
    assert used.status_code == 404
    assert "no longer valid" in used.get_data(as_text=True)
    token = csrf(someone_else.get("/staff/sign-in").get_data(as_text=True))
    posted = someone_else.post(
        link,
        data={
            "new_password": "another passphrase",
            "new_password_again": "another passphrase",
            "code": "123456",
            "csrf_token": token,
        },
    )
    assert posted.status_code == 404


def test_an_enrolment_link_expires(staff_app: Flask, signed_in, clock: Clock) -> None:
    admin = signed_in("root", Role.ADMIN)
    link = _link(_create(admin, "new.worker", "caseworker").get_data(as_text=True))
    clock.tick(seconds=timedelta(hours=71).total_seconds())
    assert staff_app.test_client().get(link).status_code == 200
    clock.tick(seconds=timedelta(hours=1, minutes=1).total_seconds())
    late = staff_app.test_client().get(link)
    assert late.status_code == 404
    assert "no longer valid" in late.get_data(as_text=True)


def test_the_staff_list_shows_who_waits_for_enrolment(staff_app: Flask, signed_in) -> None:
    admin = signed_in("root", Role.ADMIN)
    _create(admin, "new.worker", "caseworker")
    _create(admin, "late.worker", "caseworker")
    with staff_app.app_context():
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.username == "late.worker")
            .values(enrolment_expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    rows = {
        row.split("</td>")[0]: row
        for row in admin.get("/staff/admin/staff").get_data(as_text=True).split("<tr><td>")[1:]
    }
    assert "waiting for enrolment, link valid until" in rows["new.worker"]
    assert "enrolment link expired: reset for a new one" in rows["late.worker"]


def test_a_second_reset_replaces_the_first_link(staff_app: Flask, signed_in, clock: Clock) -> None:
    worker = signed_in("amira", Role.CASEWORKER)
    admin = signed_in("root", Role.ADMIN)
    first = _link(_reset(admin, worker.user).get_data(as_text=True))
    second = _link(_reset(admin, worker.user).get_data(as_text=True))
    assert staff_app.test_client().get(first).status_code == 404
    assert _enrol(staff_app.test_client(), second, clock)[0].status_code == 302


@pytest.mark.parametrize("other", ["decider", "caseworker", "security_officer", "envoy"])
def test_the_form_refuses_an_administrator_with_another_role(
    staff_app: Flask, signed_in, other: str
) -> None:
    admin = signed_in("root", Role.ADMIN)
    response = _create(admin, "double", "admin", other)
    assert response.status_code == 400
    assert "An administrator holds no other role." in response.get_data(as_text=True)
    with staff_app.app_context():
        assert db.session.scalar(select(func.count()).where(StaffUser.username == "double")) == 0


def test_the_service_and_the_database_refuse_an_administrator_with_another_role(
    staff_app: Flask, make_staff
) -> None:
    admin, _secret = make_staff("root", Role.ADMIN)
    decider, _secret = make_staff("bernd", Role.DECIDER)
    with staff_app.app_context():
        with pytest.raises(ActionRefused):
            create_staff(db.session, "double", "Double", [Role.ADMIN, Role.DECIDER])
        db.session.rollback()
        for user_id, role in ((admin.id, Role.CASEWORKER), (decider.id, Role.ADMIN)):
            db.session.add(StaffRole(user_id=user_id, role=role))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
        # A second case role, or another administrator, is fine.
        db.session.add(StaffRole(user_id=decider.id, role=Role.SECURITY_OFFICER))
        db.session.commit()


def test_the_commands_print_an_enrolment_link_and_no_password(
    staff_app: Flask, signed_in, clock: Clock
) -> None:
    worker = signed_in("amira", Role.CASEWORKER)
    runner = staff_app.test_cli_runner()
    with staff_app.app_context():
        created = runner.invoke(
            args=["staff", "create", "new.worker", "--name", "New", "--role", "caseworker"]
        )
        reset = runner.invoke(args=["staff", "reset", "amira"])
        refused = runner.invoke(
            args=["staff", "create", "double", "--name", "D", "--role", "admin", "--role", "envoy"]
        )
    assert created.exit_code == 0 and reset.exit_code == 0, created.output + reset.output
    assert refused.exit_code != 0 and "administrator" in refused.output
    for output, username in ((created.output, "new.worker"), (reset.output, "amira")):
        assert "password:" not in output.lower()
        words = _candidates(output)
        assert not [w for n, w in enumerate(words) if _opens(staff_app, username, w, 100 + n)]
        assert _enrol(staff_app.test_client(), _link(output), clock)[0].status_code == 302
    assert worker.get("/staff/").status_code == 302  # the reset ended the old session


def test_a_deactivated_account_is_active_again_only_once_its_owner_has_enrolled(
    staff_app: Flask, signed_in, submitted_case, clock: Clock
) -> None:
    """A reset made the account active at once: cases could be assigned, out of every
    caseworker's sight, to an account nobody could use until the link was followed."""
    admin = signed_in("root", Role.ADMIN)
    decider = signed_in("bernd", Role.DECIDER)
    leaving = signed_in("amira", Role.CASEWORKER)
    forgotten = _link(_reset(admin, leaving.user).get_data(as_text=True))  # never used
    token = csrf(admin.get("/staff/admin/staff").get_data(as_text=True))
    admin.post(f"/staff/admin/staff/{leaving.user.id}/deactivate", data={"csrf_token": token})
    back = _link(_reset(admin, leaving.user).get_data(as_text=True))

    case = submitted_case()
    path = f"/staff/cases/{case.id}"
    token = csrf(decider.get(path).get_data(as_text=True))
    decider.post(path + "/assign", data={"assignee": str(leaving.user.id), "csrf_token": token})
    assert "Cases are assigned to active caseworkers or deciders only." in decider.get(
        path
    ).get_data(as_text=True)
    # The link from before the deactivation brings nobody back.
    assert "<svg" not in staff_app.test_client().get(forgotten).get_data(as_text=True)

    response, _secret = _enrol(staff_app.test_client(), back, clock)
    assert response.status_code == 302
    with staff_app.app_context():
        assert db.session.get(StaffUser, leaving.user.id).active
