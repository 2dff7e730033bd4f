"""Documents in an S3-compatible bucket (portal.core.blobstore.S3BlobStore), against an
in-process S3: the bucket only ever holds ciphertext, under keys made of uuids, and a
document is decrypted as its object's body arrives."""

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.config import ConfigurationError, load_config
from portal.core import blobstore, crypto
from portal.core.blobstore import FolderBlobStore, S3BlobStore, store_for
from portal.core.crypto.blobs import CHUNK_BYTES
from tests.object_storage import BUCKET, in_process_s3, keys

URL = f"s3://{BUCKET}/consulate-kabul/"
# Several encryption chunks and a short last one.
DOCUMENT = os.urandom(3 * CHUNK_BYTES + 1234)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with in_process_s3(monkeypatch) as client:
        yield client


@pytest.fixture
def store(s3: Any) -> S3BlobStore:
    return S3BlobStore.from_url(URL)


@pytest.fixture
def cipher() -> crypto.FieldCipher:
    return crypto.FieldCipher(crypto.new_data_key())


def test_a_document_of_many_chunks_comes_back_whole(
    store: S3BlobStore, cipher: crypto.FieldCipher
) -> None:
    case_id, document_id = uuid.uuid4(), uuid.uuid4()

    size = store.put(cipher, case_id, document_id, io.BytesIO(DOCUMENT))

    assert size == len(DOCUMENT)
    chunks = list(store.read(cipher, case_id, document_id))
    assert len(chunks) == 4
    assert b"".join(chunks) == DOCUMENT


def test_the_bucket_holds_ciphertext_under_a_key_of_uuids_only(
    s3: Any, store: S3BlobStore, cipher: crypto.FieldCipher
) -> None:
    case_id, document_id = uuid.uuid4(), uuid.uuid4()
    store.put(cipher, case_id, document_id, io.BytesIO(DOCUMENT))

    assert keys(s3) == [f"consulate-kabul/{case_id}/{document_id}"]
    stored = s3.get_object(Bucket=BUCKET, Key=keys(s3)[0])["Body"].read()
    assert len(stored) > len(DOCUMENT)
    for offset in range(0, len(DOCUMENT), CHUNK_BYTES):
        assert DOCUMENT[offset : offset + 64] not in stored
    # Another case's key cannot open it: the object is bound to its own case and document.
    with pytest.raises(crypto.DecryptionError):
        b"".join(store.read(crypto.FieldCipher(crypto.new_data_key()), case_id, document_id))


class _CountingBody:
    """An object's body that counts what has been taken from the connection."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.taken = 0

    def read(self, amount: int | None = None) -> bytes:
        data = self.body.read(amount)
        self.taken += len(data)
        return data

    def close(self) -> None:
        self.body.close()


def test_a_document_is_decrypted_as_its_body_arrives_not_after_the_whole_object(
    store: S3BlobStore, cipher: crypto.FieldCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, document_id = uuid.uuid4(), uuid.uuid4()
    document = os.urandom(8 * CHUNK_BYTES)
    store.put(cipher, case_id, document_id, io.BytesIO(document))
    bodies: list[_CountingBody] = []
    get_object = store.client.get_object

    def counted(**kwargs: Any) -> dict[str, Any]:
        response = get_object(**kwargs)
        bodies.append(_CountingBody(response["Body"]))
        return {**response, "Body": bodies[-1]}

    monkeypatch.setattr(store.client, "get_object", counted)
    chunks = store.read(cipher, case_id, document_id)

    first = next(chunks)
    assert first == document[:CHUNK_BYTES]
    # The first chunk is out with two read (the cipher looks one ahead for the last one):
    # the other six are still in the connection.
    assert bodies[0].taken < 3 * CHUNK_BYTES
    assert b"".join([first, *chunks]) == document
    assert bodies[0].taken > 8 * CHUNK_BYTES


def test_a_missing_document_is_not_found_as_a_missing_file_is(
    store: S3BlobStore, cipher: crypto.FieldCipher
) -> None:
    with pytest.raises(FileNotFoundError):
        next(store.read(cipher, uuid.uuid4(), uuid.uuid4()))


def test_deleting_a_document_and_a_case(
    s3: Any, store: S3BlobStore, cipher: crypto.FieldCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobstore, "DELETE_BATCH", 2)  # so that a case takes several batches
    case_id, other_case = uuid.uuid4(), uuid.uuid4()
    documents = [uuid.uuid4() for _ in range(5)]
    for document_id in documents:
        store.put(cipher, case_id, document_id, io.BytesIO(b"%PDF-1.7 scan"))
    kept = uuid.uuid4()
    store.put(cipher, other_case, kept, io.BytesIO(b"%PDF-1.7 other"))

    store.delete(case_id, documents[0])
    store.delete(case_id, documents[0])  # gone already: nothing to do, no error
    assert f"consulate-kabul/{case_id}/{documents[0]}" not in keys(s3)
    assert store.holds_case(case_id)

    store.delete_case(case_id)

    assert not store.holds_case(case_id)
    assert keys(s3) == [f"consulate-kabul/{other_case}/{kept}"]
    assert store.holds_case(other_case)
    store.delete_case(case_id)  # an empty case: nothing to do
    # A case whose uuid differs from another's only in its last digit shares all of its
    # prefix but the slash that ends it, and holds nothing.
    last = str(other_case)[-1]
    neighbour = uuid.UUID(str(other_case)[:-1] + ("1" if last == "0" else "0"))
    assert not store.holds_case(neighbour)


def test_server_side_encryption_is_asked_for_when_configured(
    s3: Any, cipher: crypto.FieldCipher
) -> None:
    store = S3BlobStore.from_url(URL, server_side_encryption="AES256")
    case_id, document_id = uuid.uuid4(), uuid.uuid4()
    store.put(cipher, case_id, document_id, io.BytesIO(DOCUMENT))

    head = s3.head_object(Bucket=BUCKET, Key=store.key(case_id, document_id))
    assert head["ServerSideEncryption"] == "AES256"


def test_a_failed_encryption_uploads_nothing(s3: Any, store: S3BlobStore) -> None:
    class Broken(io.RawIOBase):
        def readinto(self, buffer: Any) -> int:
            raise OSError("the upload was cut off")

    with pytest.raises(OSError, match="cut off"):
        store.put(crypto.FieldCipher(crypto.new_data_key()), uuid.uuid4(), uuid.uuid4(), Broken())
    assert keys(s3) == []


# --- configuration ---------------------------------------------------------------------------


def test_the_configuration_picks_the_bucket_when_a_url_is_set(s3: Any, tmp_path: Path) -> None:
    config = load_config(tmp_path, {"PORTAL_BLOB_URL": URL, "PORTAL_BLOB_S3_SSE": "aws:kms"})
    store = store_for(config)

    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix, store.server_side_encryption) == (
        BUCKET,
        "consulate-kabul",
        "aws:kms",
    )
    folder = store_for(load_config(tmp_path, {}))
    assert isinstance(folder, FolderBlobStore) and folder.root == tmp_path / "blobs"


def test_a_bucket_without_a_prefix_keys_by_case(s3: Any, cipher: crypto.FieldCipher) -> None:
    store = S3BlobStore.from_url(f"s3://{BUCKET}")
    case_id, document_id = uuid.uuid4(), uuid.uuid4()
    store.put(cipher, case_id, document_id, io.BytesIO(b"%PDF"))
    assert keys(s3) == [f"{case_id}/{document_id}"]


@pytest.mark.parametrize(
    "url",
    [
        "https://portal-documents.s3.amazonaws.com/x",
        "s3://AKIAEXAMPLE:s3cr3t-value@portal-documents/x",
        "s3://minio.internal:9000/x",
        "s3:///x",
        "s3://portal-documents/a//b",
        "s3://portal-documents/../b",
        "s3://portal-documents/x?region=eu",
    ],
)
def test_a_url_that_is_not_a_bucket_and_prefix_stops_the_start(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_config(tmp_path, {"PORTAL_BLOB_URL": url})
    assert "s3cr3t" not in str(refused.value)  # credentials in a URL never reach a log


def test_an_unknown_server_side_encryption_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_BLOB_S3_SSE"):
        load_config(tmp_path, {"PORTAL_BLOB_URL": URL, "PORTAL_BLOB_S3_SSE": "rot13"})


def test_copied_out_the_objects_are_a_folder_store_and_copy_back_in(
    s3: Any, store: S3BlobStore, cipher: crypto.FieldCipher, tmp_path: Path
) -> None:
    case_id = uuid.uuid4()
    documents = {uuid.uuid4(): os.urandom(CHUNK_BYTES + n) for n in range(3)}
    for document_id, content in documents.items():
        store.put(cipher, case_id, document_id, io.BytesIO(content))
    # Objects the portal did not write are not its to back up.
    s3.put_object(Bucket=BUCKET, Key="consulate-kabul/README", Body=b"not a blob")
    s3.put_object(Bucket=BUCKET, Key="elsewhere/x", Body=b"not ours either")

    assert store.copy_out(tmp_path) == 3
    # The copy is ciphertext laid out as a folder store's, which reads it with the same key.
    folder = FolderBlobStore(tmp_path)
    for document_id, content in documents.items():
        assert content[:64] not in folder.path(case_id, document_id).read_bytes()
        assert b"".join(folder.read(cipher, case_id, document_id)) == content

    written_after = uuid.uuid4()
    store.put(cipher, case_id, written_after, io.BytesIO(b"%PDF-1.7 later"))
    for document_id in documents:
        store.delete(case_id, document_id)

    assert store.copy_in(tmp_path) == (3, 1)  # the one written after the backup is counted
    for document_id, content in documents.items():
        assert b"".join(store.read(cipher, case_id, document_id)) == content
