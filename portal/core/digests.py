"""Keyed digests of values that must not be kept in clear, but must still meet: a case
reference or a client address in a rate-limit counter, a username in a sign-in counter
or in the audit event of a name that is no account.

HMAC-SHA256 under a subkey of the app's secret key: equal inputs give equal digests, but
nobody who reads Redis or the database without that key learns which value a digest
stands for.
"""

import hashlib
import hmac
from functools import cache

from flask import current_app

from portal.core import crypto


def _digest_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return _subkey(secret if isinstance(secret, bytes) else secret.encode())


@cache
def _subkey(secret: bytes) -> bytes:
    # Derived once per secret, not on every sign-in attempt and limited request.
    return crypto.derive_subkey(secret, "keyed digests")


def keyed_digest(purpose: str, *parts: str) -> str:
    """The hex digest of ``parts`` for ``purpose`` (one purpose's digests never meet
    another's)."""
    message = "\x1f".join((purpose, *parts)).encode()
    return hmac.new(_digest_key(), message, hashlib.sha256).hexdigest()
