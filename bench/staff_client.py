"""A signed-in staff member for the page benchmarks: a new account of one role, signed in
through the real form (password and TOTP) on Flask's test client."""

import time
from typing import Any


def signed_in(app: Any, session: Any, role: Any, name: str) -> tuple[Any, Any]:
    """A test client signed in as a new account with ``role``, and the account; the name is
    made unique, so that every run has its own budgets and sessions."""
    import pyotp

    from portal.accounts.services import create_staff

    user, password, secret = create_staff(session, f"{name}-{time.time_ns()}", "Bench", [role])
    session.commit()
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # the benchmark's own client signs in
    response = client.post(
        "/staff/sign-in",
        data={"username": user.username, "password": password, "code": pyotp.TOTP(secret).now()},
    )
    if response.status_code != 302:
        raise RuntimeError(f"{name} could not sign in: {response.status_code}")
    return client, user
