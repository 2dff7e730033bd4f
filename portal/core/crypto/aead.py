"""AES-256-GCM for single values, bound to where they are stored."""

import os
import uuid
from collections.abc import Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DATA_KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random nonces are safe far beyond a case's field count
FORMAT_VERSION = b"\x01"


class DecryptionError(Exception):
    """A ciphertext failed its integrity check: wrong key, tampered, or moved elsewhere."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)


def field_context(table: str, column: str, row_id: uuid.UUID) -> bytes:
    """Associated data that binds a ciphertext to one column of one row.

    A value copied into another row or column then fails to decrypt instead of
    silently showing one person's data as another's.
    """
    return f"field|{table}|{column}|{row_id}".encode()


class FieldCipher:
    """Encrypts and decrypts values under one data key."""

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != DATA_KEY_BYTES:
            raise ValueError("a data key has 32 bytes")
        self._key, self._aead = key, AESGCM(key)

    def encrypt(self, plaintext: bytes, *, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, token: bytes, *, context: bytes) -> bytes:
        if token[:1] != FORMAT_VERSION or len(token) < 1 + NONCE_BYTES + 16:
            raise DecryptionError("unknown ciphertext format")
        nonce, body = token[1 : 1 + NONCE_BYTES], token[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, context)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext failed its integrity check") from exc

    def encrypt_blob(self, source: IO[bytes], sink: IO[bytes], *, context: bytes) -> int:
        from portal.core.crypto.blobs import encrypt_blob

        return encrypt_blob(self._key, source, sink, context=context)

    def decrypt_blob(self, source: IO[bytes], *, context: bytes) -> Iterator[bytes]:
        from portal.core.crypto.blobs import decrypt_blob_chunks

        return decrypt_blob_chunks(self._key, source, context=context)

    def unsafe_export_key(self) -> bytes:
        """The raw key, only to wrap it again (the applicant's session). Never log or store it."""
        return self._key

    def __repr__(self) -> str:  # never show key material
        return "FieldCipher(<key hidden>)"
