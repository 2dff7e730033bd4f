"""Signatures (Ed25519): statements that only the holder of the private key can make and
anyone with the public key can check."""

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

SIGNATURE_BYTES = 64
_RAW = serialization.Encoding.Raw


def new_signing_key() -> bytes:
    """A raw Ed25519 private key (its 32-byte seed)."""
    return Ed25519PrivateKey.generate().private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def signing_public_key_of(private_key: bytes) -> bytes:
    public = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return public.public_bytes(_RAW, serialization.PublicFormat.Raw)


def sign(private_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def signature_is_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True
