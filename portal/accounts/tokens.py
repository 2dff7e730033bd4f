"""Random tokens stored only as hashes (keyed digests of names: ``portal.core.digests``)."""

import hashlib
import secrets


def new_token() -> str:
    """256 random bits, URL-safe: a session cookie or an enrolment link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What the database keeps of a token: a copy of the table opens nothing."""
    return hashlib.sha256(token.encode()).digest()
