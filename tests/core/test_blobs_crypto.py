"""Chunked encryption of uploaded documents (portal.core.crypto.blobs).

Layout: header (magic, chunk size, nonce prefix) then one sealed chunk of
``CHUNK_BYTES + 16`` bytes per chunk, the last one shorter. Each chunk is bound to the
blob's context, its index and whether it is the last one.
"""

import io
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from portal.core import crypto
from portal.core.crypto import DecryptionError, FieldCipher
from portal.core.crypto.blobs import _HEADER, CHUNK_BYTES, MAGIC, TAG_BYTES

HEADER_BYTES = _HEADER.size
SEALED_CHUNK = CHUNK_BYTES + TAG_BYTES
CASE = uuid.UUID("11111111-2222-4333-8444-555555555555")
CONTEXT = f"blob|{CASE}|{uuid.UUID(int=1)}".encode()
OTHER_CONTEXT = f"blob|{CASE}|{uuid.UUID(int=2)}".encode()


def encrypt(key: bytes, plaintext: bytes, context: bytes = CONTEXT) -> bytes:
    sink = io.BytesIO()
    size = crypto.encrypt_blob(key, io.BytesIO(plaintext), sink, context=context)
    assert size == len(plaintext)
    return sink.getvalue()


def decrypt(key: bytes, blob: bytes, context: bytes = CONTEXT) -> bytes:
    return b"".join(crypto.decrypt_blob_chunks(key, io.BytesIO(blob), context=context))


def sealed_chunks(blob: bytes) -> list[bytes]:
    body = blob[HEADER_BYTES:]
    return [body[i : i + SEALED_CHUNK] for i in range(0, len(body), SEALED_CHUNK)]


def with_chunks(blob: bytes, chunks: list[bytes]) -> bytes:
    return blob[:HEADER_BYTES] + b"".join(chunks)


@pytest.fixture
def key() -> bytes:
    return crypto.new_data_key()


SIZES = {
    "empty": 0,
    "one-byte": 1,
    "under-one-chunk": CHUNK_BYTES - 1,
    "exactly-one-chunk": CHUNK_BYTES,
    "chunk-plus-one": CHUNK_BYTES + 1,
    "exactly-two-chunks": 2 * CHUNK_BYTES,
    "multi-mb": 3 * 1024 * 1024 + 12_345,
}


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_round_trip_and_layout(key: bytes, size: int) -> None:
    plaintext = os.urandom(size)
    blob = encrypt(key, plaintext)

    chunk_count = max(1, -(-size // CHUNK_BYTES))
    assert len(blob) == HEADER_BYTES + size + chunk_count * TAG_BYTES
    assert blob.startswith(MAGIC)
    assert len(sealed_chunks(blob)) == chunk_count
    assert decrypt(key, blob) == plaintext


def test_plaintext_does_not_appear_in_the_blob(key: bytes) -> None:
    plaintext = b"PASSPORT P0123456 Ahmad Karimi " * 4000
    blob = encrypt(key, plaintext)
    assert b"P0123456" not in blob
    assert b"Karimi" not in blob


def test_encrypting_the_same_file_twice_gives_different_blobs(key: bytes) -> None:
    plaintext = b"same document" * 1000
    first, second = encrypt(key, plaintext), encrypt(key, plaintext)
    assert first[len(MAGIC) + 4 : HEADER_BYTES] != second[len(MAGIC) + 4 : HEADER_BYTES]
    assert first[HEADER_BYTES:] != second[HEADER_BYTES:]


def test_field_cipher_encrypts_and_decrypts_blobs_with_its_key(key: bytes) -> None:
    plaintext = os.urandom(CHUNK_BYTES + 10)
    sink = io.BytesIO()
    assert FieldCipher(key).encrypt_blob(io.BytesIO(plaintext), sink, context=CONTEXT) == len(
        plaintext
    )
    decrypted = FieldCipher(key).decrypt_blob(io.BytesIO(sink.getvalue()), context=CONTEXT)
    assert b"".join(decrypted) == plaintext
    assert decrypt(key, sink.getvalue()) == plaintext


# --- what must fail ---------------------------------------------------------------------

MULTI = 3 * CHUNK_BYTES + 500  # four chunks, the last one short


@pytest.fixture
def multi(key: bytes) -> bytes:
    return encrypt(key, os.urandom(MULTI))


def test_wrong_key_is_refused(multi: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(crypto.new_data_key(), multi)


@pytest.mark.parametrize(
    "context",
    [OTHER_CONTEXT, f"blob|{uuid.UUID(int=9)}|{uuid.UUID(int=1)}".encode(), CONTEXT + b"x", b""],
    ids=["other-document", "other-case", "appended", "empty"],
)
def test_blob_moved_to_another_context_is_refused(key: bytes, multi: bytes, context: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, multi, context=context)


@pytest.mark.parametrize(
    "chunks_kept", [1, 2, 3], ids=["cut-after-1", "cut-after-2", "cut-after-3"]
)
def test_truncation_at_a_chunk_boundary_is_refused(
    key: bytes, multi: bytes, chunks_kept: int
) -> None:
    """The last-chunk flag makes a cleanly cut file fail instead of looking complete."""
    cut = with_chunks(multi, sealed_chunks(multi)[:chunks_kept])
    with pytest.raises(DecryptionError):
        decrypt(key, cut)


@pytest.mark.parametrize("cut", [1, 16, 17, 600])
def test_truncation_inside_a_chunk_is_refused(key: bytes, multi: bytes, cut: int) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, multi[:-cut])


def test_single_chunk_blob_cut_to_its_header_is_refused(key: bytes) -> None:
    blob = encrypt(key, b"")
    with pytest.raises(DecryptionError):
        decrypt(key, blob[:HEADER_BYTES])


def test_removing_a_middle_chunk_is_refused(key: bytes, multi: bytes) -> None:
    chunks = sealed_chunks(multi)
    with pytest.raises(DecryptionError):
        decrypt(key, with_chunks(multi, [chunks[0], *chunks[2:]]))


@pytest.mark.parametrize(
    "order", [(1, 0, 2, 3), (0, 2, 1, 3), (0, 1, 2, 2, 3), (0, 0, 1, 2, 3)], ids=str
)
def test_reordered_or_repeated_chunks_are_refused(
    key: bytes, multi: bytes, order: tuple[int, ...]
) -> None:
    chunks = sealed_chunks(multi)
    with pytest.raises(DecryptionError):
        decrypt(key, with_chunks(multi, [chunks[i] for i in order]))


def test_chunk_from_another_blob_is_refused(key: bytes, multi: bytes) -> None:
    other = encrypt(key, os.urandom(MULTI))
    chunks = sealed_chunks(multi)
    chunks[1] = sealed_chunks(other)[1]
    with pytest.raises(DecryptionError):
        decrypt(key, with_chunks(multi, chunks))


def test_chunk_from_another_context_is_refused_even_with_the_same_nonces(
    key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the nonce prefix forced equal, only the context in the associated data differs:
    it alone must stop a chunk of one document being spliced into another."""
    monkeypatch.setattr("portal.core.crypto.blobs.os.urandom", lambda n: b"\x07" * n)
    mine = encrypt(key, os.urandom(MULTI), context=CONTEXT)
    theirs = encrypt(key, os.urandom(MULTI), context=OTHER_CONTEXT)
    assert mine[:HEADER_BYTES] == theirs[:HEADER_BYTES]
    chunks = sealed_chunks(mine)
    chunks[2] = sealed_chunks(theirs)[2]
    with pytest.raises(DecryptionError):
        decrypt(key, with_chunks(mine, chunks))


def test_header_from_another_blob_is_refused(key: bytes, multi: bytes) -> None:
    other = encrypt(key, os.urandom(MULTI))
    with pytest.raises(DecryptionError):
        decrypt(key, other[:HEADER_BYTES] + multi[HEADER_BYTES:])


@pytest.mark.parametrize(
    "garbage", [b"\x00", b"x" * TAG_BYTES, os.urandom(SEALED_CHUNK)], ids=["1", "16", "chunk"]
)
def test_appended_garbage_is_refused(key: bytes, multi: bytes, garbage: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, multi + garbage)


def test_appended_copy_of_the_last_chunk_is_refused(key: bytes, multi: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, multi + sealed_chunks(multi)[-1])


@pytest.mark.parametrize(
    "index",
    [
        0,  # magic
        len(MAGIC) + 3,  # chunk size
        len(MAGIC) + 4,  # nonce prefix
        HEADER_BYTES - 1,
        HEADER_BYTES,  # first chunk body
        HEADER_BYTES + SEALED_CHUNK - 1,  # first chunk tag
        HEADER_BYTES + 2 * SEALED_CHUNK + 100,  # a middle chunk
        -1,  # last tag
    ],
    ids=["magic", "chunk-size", "prefix-start", "prefix-end", "body", "tag", "middle", "last"],
)
def test_any_flipped_bit_is_detected(key: bytes, multi: bytes, index: int) -> None:
    changed = bytearray(multi)
    changed[index] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypt(key, bytes(changed))


@pytest.mark.parametrize(
    "blob", [b"", MAGIC, b"NOTBLB" + b"\x00" * 11 + b"x" * 16], ids=["empty", "magic", "alien"]
)
def test_not_a_blob_is_refused(key: bytes, blob: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, blob)


# --- streaming ----------------------------------------------------------------------------


class CountingReader(io.RawIOBase):
    """A source that records how far it has been read."""

    def __init__(self, data: bytes) -> None:
        self._data, self.position = data, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = self._data[self.position : self.position + len(buffer)]
        buffer[: len(piece)] = piece
        self.position += len(piece)
        return len(piece)


class TrickleReader(CountingReader):
    """Like a socket or pipe: ``read(n)`` may return fewer than n bytes before the end."""

    def readinto(self, buffer: Any) -> int:
        return super().readinto(memoryview(buffer)[:1000])


def test_decryption_streams_chunk_by_chunk(key: bytes) -> None:
    plaintext = os.urandom(10 * CHUNK_BYTES)
    blob = encrypt(key, plaintext)
    source = CountingReader(blob)

    chunks: Iterator[bytes] = crypto.decrypt_blob_chunks(key, source, context=CONTEXT)
    assert source.position == 0  # nothing is read before the first chunk is asked for
    first = next(chunks)
    assert first == plaintext[:CHUNK_BYTES]
    # One chunk plus one chunk of look-ahead (to know whether it is the last), not the file.
    assert source.position <= HEADER_BYTES + 2 * SEALED_CHUNK
    assert b"".join([first, *chunks]) == plaintext
    assert source.position == len(blob)


def test_chunks_before_a_tampered_one_are_released_then_decryption_stops(key: bytes) -> None:
    """Streaming means earlier chunks reach the caller before later damage is found: a
    download must be prepared to abort mid-way. Nothing past the bad chunk is released."""
    plaintext = os.urandom(4 * CHUNK_BYTES)
    blob = bytearray(encrypt(key, plaintext))
    blob[HEADER_BYTES + 2 * SEALED_CHUNK + 5] ^= 0x01  # third chunk
    chunks = crypto.decrypt_blob_chunks(key, io.BytesIO(bytes(blob)), context=CONTEXT)
    assert next(chunks) == plaintext[:CHUNK_BYTES]
    assert next(chunks) == plaintext[CHUNK_BYTES : 2 * CHUNK_BYTES]
    with pytest.raises(DecryptionError):
        next(chunks)


@pytest.mark.parametrize("size", [0, 999, 1000, CHUNK_BYTES, 3 * CHUNK_BYTES + 7])
def test_short_reads_from_the_source_do_not_corrupt_the_blob(key: bytes, size: int) -> None:
    plaintext = os.urandom(size)
    sink = io.BytesIO()
    written = crypto.encrypt_blob(key, TrickleReader(plaintext), sink, context=CONTEXT)
    assert written == size
    assert decrypt(key, sink.getvalue()) == plaintext
    trickled = crypto.decrypt_blob_chunks(key, TrickleReader(sink.getvalue()), context=CONTEXT)
    assert b"".join(trickled) == plaintext
