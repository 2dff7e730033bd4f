"""Rate-limit keys that name nobody.

Flask-Limiter counts attempts under a key in Redis, and Redis writes what it holds to disk
(the embedded server's snapshot, a production server's RDB or AOF files, and their
backups). A key made of what a person typed, such as a case reference, or of where they
came from would be on that disk as long as the counter lives. So keys are keyed hashes:
equal values still meet in one counter, but nobody who reads Redis without the app's
secret key learns which reference or address a counter belongs to.
"""

from portal.core.digests import keyed_digest

# 128 bits of the HMAC: no two values people type will meet in one counter by chance.
_DIGEST_HEX_CHARS = 32


def hashed_key(scope: str, value: str) -> str:
    """``scope:<keyed digest of value>``: one counter per value, which the key does not
    reveal."""
    return f"{scope}:{keyed_digest(scope, value)[:_DIGEST_HEX_CHARS]}"
