"""Chunked AES-256-GCM for uploaded documents.

A file is split into chunks that are encrypted one by one, so neither the upload nor the
download holds a whole document in memory. Each chunk's associated data carries the blob's
context, the blob's header, its index and whether it is the last one, so chunks cannot be
reordered, swapped between documents, cut off at a chunk boundary, or read with an altered
header without the decryption failing.
"""

import os
import struct
from collections.abc import Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.core.crypto.aead import NONCE_BYTES, DecryptionError

MAGIC = b"PBLOB1"
CHUNK_BYTES = 64 * 1024
# Decryption refuses larger chunks, so an altered header cannot make it read a huge block.
MAX_CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7  # + 4-byte counter + 1-byte "last" flag = the 12-byte GCM nonce
_HEADER = struct.Struct(">6sI7s")  # magic, chunk size, nonce prefix


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _read_full(source: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end: ``read`` may return less (pipes, sockets),
    and a short chunk in the middle would make the blob undecryptable."""
    data = source.read(size)
    if not data or len(data) == size:
        return data
    pieces, got = [data], len(data)
    while got < size and (more := source.read(size - got)):
        pieces.append(more)
        got += len(more)
    return b"".join(pieces)


def _chunk_context(context: bytes, header: bytes, index: int, last: bool) -> bytes:
    return context + header + struct.pack(">IB", index, 1 if last else 0)


def encrypt_blob(data_key: bytes, source: IO[bytes], sink: IO[bytes], *, context: bytes) -> int:
    """Encrypt ``source`` into ``sink``; return the number of plaintext bytes."""
    aead = AESGCM(data_key)
    prefix = os.urandom(NONCE_PREFIX_BYTES)
    header = _HEADER.pack(MAGIC, CHUNK_BYTES, prefix)
    sink.write(header)
    total, index = 0, 0
    chunk = _read_full(source, CHUNK_BYTES)
    while True:
        following = _read_full(source, CHUNK_BYTES)
        last = not following
        sink.write(
            aead.encrypt(
                _nonce(prefix, index, last), chunk, _chunk_context(context, header, index, last)
            )
        )
        total += len(chunk)
        if last:
            return total
        chunk, index = following, index + 1


def decrypt_blob_chunks(data_key: bytes, source: IO[bytes], *, context: bytes) -> Iterator[bytes]:
    """Yield plaintext chunks; raise DecryptionError on any tampering or truncation."""
    header = _read_full(source, _HEADER.size)
    if len(header) != _HEADER.size:
        raise DecryptionError("blob header missing")
    magic, chunk_bytes, prefix = _HEADER.unpack(header)
    if magic != MAGIC or len(prefix) + 5 != NONCE_BYTES:
        raise DecryptionError("unknown blob format")
    if not 0 < chunk_bytes <= MAX_CHUNK_BYTES:
        raise DecryptionError("blob chunk size out of range")
    aead = AESGCM(data_key)
    index = 0
    sealed = _read_full(source, chunk_bytes + TAG_BYTES)
    while True:
        following = _read_full(source, chunk_bytes + TAG_BYTES)
        last = not following
        try:
            yield aead.decrypt(
                _nonce(prefix, index, last), sealed, _chunk_context(context, header, index, last)
            )
        except InvalidTag as exc:
            raise DecryptionError("blob chunk failed its integrity check") from exc
        if last:
            return
        sealed, index = following, index + 1
