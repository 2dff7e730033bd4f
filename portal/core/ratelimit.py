"""Rate-limit keys that name nobody.

Flask-Limiter counts attempts under a key in Redis, and Redis writes what it holds to disk
(the embedded server's snapshot, a production server's RDB or AOF files, and their
backups). A key made of what a person typed, such as a case reference, or of where they
came from would be on that disk as long as the counter lives. So keys are keyed hashes:
equal values still meet in one counter, but nobody who reads Redis without the app's
secret key learns which reference or address a counter belongs to.
"""

import hashlib
import hmac

from flask import current_app

from portal.core import crypto

# 128 bits of the HMAC: no two values people type will meet in one counter by chance.
_DIGEST_HEX_CHARS = 32


def _hashing_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    raw = secret if isinstance(secret, bytes) else secret.encode()
    return crypto.derive_subkey(raw, "rate-limit keys")


def hashed_key(scope: str, value: str) -> str:
    """``scope:<HMAC of value>``: one counter per value, which the key does not reveal."""
    message = f"{scope}|{value}".encode()
    digest = hmac.new(_hashing_key(), message, hashlib.sha256).hexdigest()
    return f"{scope}:{digest[:_DIGEST_HEX_CHARS]}"
