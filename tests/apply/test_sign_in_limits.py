"""Applicant sign-in limits: per reference whoever tries it, a generous ceiling per address
(thousands of applicants share one address behind a mobile carrier's NAT), and nothing in
Redis that names a case or an address."""

from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from portal.app import _limiter_storage
from portal.config import ConfigurationError, load_config
from portal.core import codes
from tests.apply.journey import Applicant
from tests.conftest import AppFactory

WRONG_CODE = "0000-0000-0000-0000"
# Carrier-grade NAT space (RFC 6598): one public address for a whole mobile network's users.
CARRIER_NAT = "100.64.0.1"


def _client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _started(app: Flask) -> Applicant:
    person = Applicant(app.test_client())
    person.start()
    return person


def test_applicants_behind_one_address_do_not_lock_each_other_out(make_app: AppFactory) -> None:
    app = make_app()
    applicants = [_started(app) for _ in range(12)]
    for number, applicant in enumerate(applicants):
        phone = Applicant(_client_from(app, CARRIER_NAT))
        # Everyone mistypes once, as people on small phone keyboards do.
        assert phone.sign_in(applicant.reference, WRONG_CODE).status_code == 400, number
        signed_in = phone.sign_in(applicant.reference, applicant.access_code)
        assert signed_in.status_code == 302, number
        assert phone.get("/application").status_code == 200


def test_one_address_is_still_held_to_a_ceiling(make_app: AppFactory) -> None:
    app = make_app(PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS=5)
    person = Applicant(_client_from(app, "203.0.113.9"))
    for number in range(5):
        assert person.sign_in(f"{number:04d}-AAAA-BBBB", WRONG_CODE).status_code == 400, number
    refused = person.sign_in("9999-AAAA-BBBB", WRONG_CODE)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Another address is not held back by it.
    elsewhere = Applicant(_client_from(app, "203.0.113.10"))
    assert elsewhere.sign_in("9999-AAAA-BBBB", WRONG_CODE).status_code == 400


def test_a_reference_under_attack_is_limited_however_it_is_typed(make_app: AppFactory) -> None:
    app = make_app()
    applicant = _started(app)
    canonical = applicant.reference.replace("-", "")
    spellings = [canonical.lower(), " ".join(applicant.reference.split("-")), canonical]
    for attempt in range(10):
        attacker = Applicant(_client_from(app, f"198.51.100.{attempt}"))
        typed = spellings[attempt % len(spellings)]
        assert attacker.sign_in(typed, WRONG_CODE).status_code == 400, attempt
    owner = Applicant(_client_from(app, CARRIER_NAT))
    assert owner.sign_in(applicant.reference, applicant.access_code).status_code == 429


def test_mistyped_references_do_not_share_one_counter(make_app: AppFactory) -> None:
    """A reference that cannot be one opens nothing: people who mistype it are told to check
    it, however many others mistyped theirs this hour."""
    app = make_app()
    for attempt in range(12):
        person = Applicant(_client_from(app, f"192.0.2.{attempt}"))
        response = person.sign_in("ABC", WRONG_CODE)
        assert response.status_code == 400, attempt
        assert "is not right" in response.get_data(as_text=True)


def _redis_keys(app: Flask) -> list[str]:
    connection: Any = redis.Redis.from_url(app.config["REDIS_URL"])
    return [key.decode() for key in connection.scan_iter("*")]


def test_no_reference_or_address_is_stored_in_redis(
    make_app: AppFactory, base_config: dict[str, Any]
) -> None:
    storage = _limiter_storage(base_config["REDIS_URL"])
    app = make_app(RATELIMIT_STORAGE_URI=storage)
    applicant = _started(app)
    phone = Applicant(_client_from(app, "203.0.113.77"))
    assert phone.sign_in(applicant.reference.lower(), WRONG_CODE).status_code == 400
    assert phone.sign_in(applicant.reference, applicant.access_code).status_code == 302

    keys = _redis_keys(app)
    assert any("LIMIT" in key for key in keys), keys  # the counters are in this Redis
    reference = codes.normalise_reference(applicant.reference)
    assert reference is not None
    for key in keys:
        for secret in (reference, reference.lower(), applicant.reference, "203.0.113.77"):
            assert secret not in key, key


@pytest.mark.parametrize("value", ["0", "-5", "many", "3.5"])
def test_a_ceiling_that_is_no_count_stops_the_start(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS"):
        load_config(tmp_path, {"PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS": value})


def test_applicants_can_sign_in_while_redis_is_down(make_app: AppFactory) -> None:
    """The counters fall back to the process's memory: still limited, never a 500."""
    unreachable = "redis://127.0.0.1:1/0"
    app = make_app(RATELIMIT_STORAGE_URI=unreachable, PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS=3)
    applicant = _started(app)
    phone = Applicant(_client_from(app, CARRIER_NAT))
    assert phone.sign_in(applicant.reference, WRONG_CODE).status_code == 400
    assert phone.sign_in(applicant.reference, applicant.access_code).status_code == 302
    assert phone.sign_in("9999-AAAA-BBBB", WRONG_CODE).status_code == 400
    assert phone.sign_in("9999-AAAA-BBBC", WRONG_CODE).status_code == 429
