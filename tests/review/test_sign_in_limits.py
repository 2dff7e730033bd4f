"""Sign-in limits an attacker cannot turn against the account's owner: failures count per
username and address together, with growing waits; a generous ceiling per address; every
failure audited with the name tried and the address; no name in clear in Redis."""

from flask import Flask
from sqlalchemy import select

from portal.accounts import throttle
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.redis import get_redis
from portal.extensions import db
from tests.review.conftest import (
    PASSWORD,
    Clock,
    attempt_sign_in,
    code_for,
    csrf,
    from_address,
    sign_in,
)

ATTACKER = "10.66.0.9"
OWNER = "10.1.0.5"


def _guess(app: Flask, address: str, username: str = "amira") -> int:
    """A wrong password for ``username`` from ``address``; the answer's status."""
    return attempt_sign_in(from_address(app, address), username, "guess", "123456").status_code


def test_an_attackers_failures_elsewhere_do_not_lock_the_owner_out(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    for _attempt in range(30):
        _guess(staff_app, ATTACKER)
    assert sign_in(from_address(staff_app, OWNER), user, secret, clock).status_code == 302


def test_failures_from_one_address_for_one_name_wait_longer_each_time(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    user, secret = make_staff("amira", Role.CASEWORKER)
    first = throttle.FIRST_WAIT_SECONDS
    assert [_guess(staff_app, ATTACKER) for _ in range(throttle.FREE_FAILURES)] == [400] * 5
    # Now even the right password and code are not looked at until the wait is over.
    right = code_for(secret, clock)
    held = attempt_sign_in(from_address(staff_app, ATTACKER), "amira", PASSWORD, right)
    assert held.status_code == 429
    assert "Please wait 1 minute, then try again." in held.get_data(as_text=True)
    assert _guess(staff_app, ATTACKER, username="someone-else") == 400  # other names go on

    clock.tick(first)
    assert _guess(staff_app, ATTACKER) == 400  # tried, and failed once more
    clock.tick(first)
    assert _guess(staff_app, ATTACKER) == 429  # the wait has doubled
    clock.tick(first)
    assert _guess(staff_app, ATTACKER) == 400
    clock.tick(throttle.LONGEST_WAIT_SECONDS * 4)
    assert sign_in(from_address(staff_app, ATTACKER), user, secret, clock).status_code == 302
    # A success starts afresh: five more tries before the next wait.
    assert [_guess(staff_app, ATTACKER) for _ in range(6)] == [400] * 5 + [429]


def test_one_address_trying_many_names_is_stopped(make_app, make_staff, clock: Clock) -> None:
    app = make_app(STAFF_SIGN_IN_ADDRESS_FAILURES=8)
    user, secret = make_staff("amira", Role.CASEWORKER)
    statuses = [_guess(app, ATTACKER, username=f"guess-{n}") for n in range(9)]
    assert statuses == [400] * 8 + [429]
    assert sign_in(from_address(app, ATTACKER), user, secret, clock).status_code == 429
    assert sign_in(from_address(app, OWNER), user, secret, clock).status_code == 302


def test_failed_sign_ins_are_audited_with_the_name_and_the_address(
    staff_app: Flask, make_staff, clock: Clock
) -> None:
    user, _secret = make_staff("amira", Role.CASEWORKER)
    _guess(staff_app, ATTACKER)
    # A name that is no account is kept as a digest: it may be a password typed in the
    # wrong field. The same name tried again gives the same digest.
    _guess(staff_app, "10.66.0.10", username="Sommer2024!Berlin")
    _guess(staff_app, "10.66.0.11", username="Sommer2024!Berlin")
    with staff_app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "staff.sign_in_failed")
            .order_by(AuditEvent.id)
        ).all()
    known, unknown, again = (event.details for event in events)
    assert events[0].actor_id == user.id
    assert known == {"reason": "mismatch", "username": "amira", "address": ATTACKER}
    assert unknown["address"] == "10.66.0.10" and "Sommer" not in str(unknown)
    assert unknown["username_digest"] == again["username_digest"]


def test_the_limits_in_redis_name_no_one(staff_app: Flask, make_staff, clock: Clock) -> None:
    make_staff("amira", Role.CASEWORKER)
    for _attempt in range(6):
        _guess(staff_app, ATTACKER)
    with staff_app.app_context():
        keys = [key.decode() for key in get_redis().keys("*")]
    kept = [key for key in keys if key.startswith("staff-sign-in:")]
    assert len(kept) == 2  # this name from this address; this address
    assert not [key for key in keys if "amira" in key or ATTACKER in key]


def test_the_address_is_the_clients_behind_a_trusted_proxy(make_app, make_staff) -> None:
    make_staff("amira", Role.CASEWORKER)
    behind = make_app(PORTAL_TRUSTED_PROXIES=1)
    direct = make_app()
    for app in (behind, direct):
        client = from_address(app, "10.0.0.2")  # the load balancer
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.44"
        attempt_sign_in(client, "amira", "guess", "123456")
    with behind.app_context():
        addresses = db.session.scalars(
            select(AuditEvent.details)
            .where(AuditEvent.action == "staff.sign_in_failed")
            .order_by(AuditEvent.id)
        ).all()
    # Trusted from the configured proxy only: without one, anyone could write the header.
    assert [details["address"] for details in addresses] == ["192.0.2.44", "10.0.0.2"]


def test_staff_sign_in_while_redis_is_down(make_app, make_staff, clock: Clock) -> None:
    """The limits need Redis; without it staff still sign in (password and code still
    hold), rather than nobody."""
    app = make_app(REDIS_URL="unix:///nonexistent/redis.sock")
    user, secret = make_staff("amira", Role.CASEWORKER)
    assert sign_in(from_address(app, OWNER), user, secret, clock).status_code == 302


def test_a_username_with_a_control_character_is_refused_not_a_server_error(
    staff_app: Flask,
) -> None:
    """A NUL in the username was a server error on PostgreSQL, which refuses it in text."""
    client = staff_app.test_client()
    token = csrf(client.get("/staff/sign-in").get_data(as_text=True))
    response = client.post(
        "/staff/sign-in",
        data={"username": "ada\x00", "password": "x" * 12, "code": "123456", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
