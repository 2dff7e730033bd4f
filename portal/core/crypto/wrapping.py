"""Protecting data keys: sealed to the intake key pair, or wrapped under a derived key."""

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from portal.core.crypto.aead import DATA_KEY_BYTES, NONCE_BYTES, DecryptionError

X25519_KEY_BYTES = 32
SALT_BYTES = 16
_TAG_BYTES = 16  # GCM tag
SEAL_INFO = b"portal intake seal v1"
_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class ScryptCost:
    """scrypt work factors; the parameters are stored beside each wrap so they can be raised."""

    n: int
    r: int = 8
    p: int = 1


# About 100 ms and 32 MiB on a server: slows guessing an access code from a stolen database.
SCRYPT_PRODUCTION = ScryptCost(n=2**15)
# Development and tests: the same code path, cheap enough to run thousands of times.
SCRYPT_DEVELOPMENT = ScryptCost(n=2**10)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def generate_intake_key_pair() -> tuple[bytes, bytes]:
    """Return (private, public) raw X25519 keys."""
    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return private_raw, private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def intake_public_key_of(private_key: bytes) -> bytes:
    private = X25519PrivateKey.from_private_bytes(private_key)
    return private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=DATA_KEY_BYTES,
        salt=ephemeral_public + recipient_public,
        info=SEAL_INFO,
    ).derive(shared)


def seal_to_public_key(data_key: bytes, public_key: bytes, *, context: bytes) -> bytes:
    """Encrypt a data key so that only the holder of the matching private key can open it.

    X25519 with a fresh ephemeral key, HKDF-SHA256, then AES-256-GCM; the output is
    ephemeral public key || nonce || ciphertext.
    """
    recipient = X25519PublicKey.from_public_bytes(public_key)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    key = _seal_key(ephemeral.exchange(recipient), ephemeral_public, public_key)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, data_key, context)


class IntakeUnsealer:
    """An intake private key loaded once, to open many sealed data keys.

    Loading the key and deriving its public half cost as much as the exchange itself, so
    a worker keeps one of these per key version instead of starting from bytes per case.
    """

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: bytes) -> None:
        self._private = X25519PrivateKey.from_private_bytes(private_key)
        self._public = self._private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)

    def unseal(self, sealed: bytes, *, context: bytes) -> bytes:
        ephemeral_public = sealed[:X25519_KEY_BYTES]
        nonce = sealed[X25519_KEY_BYTES : X25519_KEY_BYTES + NONCE_BYTES]
        body = sealed[X25519_KEY_BYTES + NONCE_BYTES :]
        try:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
            key = _seal_key(shared, ephemeral_public, self._public)
            return AESGCM(key).decrypt(nonce, body, context)
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("sealed key could not be opened") from exc

    def __repr__(self) -> str:  # never show key material
        return "IntakeUnsealer(<key hidden>)"


def unseal_with_private_key(sealed: bytes, private_key: bytes, *, context: bytes) -> bytes:
    return IntakeUnsealer(private_key).unseal(sealed, context=context)


def derive_access_code_key(code: str, salt: bytes, cost: ScryptCost) -> bytes:
    """Derive a key-encryption key from an applicant's (normalised) access code."""
    kdf = Scrypt(salt=salt, length=DATA_KEY_BYTES, n=cost.n, r=cost.r, p=cost.p)
    return kdf.derive(code.encode())


def wrap_key(data_key: bytes, kek: bytes, *, context: bytes) -> bytes:
    """Encrypt a data key under a key-encryption key (AES-256-GCM): nonce || ciphertext."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, context)


def unwrap_key(wrapped: bytes, kek: bytes, *, context: bytes) -> bytes:
    if len(wrapped) < NONCE_BYTES + _TAG_BYTES:  # AESGCM would raise ValueError on a short nonce
        raise DecryptionError("wrapped key is too short")
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
    except InvalidTag as exc:
        raise DecryptionError("wrapped key could not be opened") from exc


def derive_subkey(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose from a longer-lived secret (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=DATA_KEY_BYTES,
        salt=None,
        info=f"portal subkey v1|{purpose}".encode(),
    ).derive(secret)
