"""Random tokens stored only as hashes, and keyed digests of names that must not be stored
in clear (sign-in counters, audit events of names that match no account)."""

import hashlib
import hmac
import secrets

from flask import current_app


def new_token() -> str:
    """256 random bits, URL-safe: a session cookie or an enrolment link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What the database keeps of a token: a copy of the table opens nothing."""
    return hashlib.sha256(token.encode()).digest()


def keyed_digest(purpose: str, *parts: str) -> str:
    """HMAC-SHA256 under the app's secret key: equal inputs give equal digests, but
    nobody without the key can tell from a digest which name it stands for."""
    message = "\x1f".join((purpose, *parts)).encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
