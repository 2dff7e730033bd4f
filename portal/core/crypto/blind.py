"""Blind indexes: keyed hashes that find equal values without decrypting them."""

import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BLIND_KEY_BYTES = 32


def derive_purpose_key(master_key: bytes, purpose: str) -> bytes:
    """One key per purpose (document number, name key, phone...), from one master key.

    Separate keys keep an index of one kind from being compared with another.
    """
    return HKDF(
        algorithm=hashes.SHA256(),
        length=BLIND_KEY_BYTES,
        salt=None,
        info=f"portal blind index v1|{purpose}".encode(),
    ).derive(master_key)


def blind_index(purpose_key: bytes, normalised_value: str) -> bytes:
    # The one-shot form runs in OpenSSL without an HMAC object: a case has some 25 of these.
    return hmac.digest(purpose_key, normalised_value.encode(), "sha256")
