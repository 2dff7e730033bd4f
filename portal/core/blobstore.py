"""Encrypted document bytes, named by uuid, never by a user's filename.

Two stores keep them behind one interface (``BlobStore``): a folder on a local or shared
file system, and a bucket of an S3-compatible object store (docs/scaling.md). Both only
ever see ciphertext: a document is encrypted in the process before it leaves it.
"""

import os
import tempfile
import uuid
from collections.abc import Generator, Mapping
from contextlib import closing
from pathlib import Path
from typing import IO, Any, Protocol

from portal.config import parse_s3_url
from portal.core.crypto import FieldCipher


def blob_context(case_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
    return f"blob|{case_id}|{document_id}".encode()


class BlobStore(Protocol):
    def put(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID, source: IO[bytes]
    ) -> int:
        """Encrypt ``source`` into the store, whole or not at all; the plaintext's size."""
        ...

    def read(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID
    ) -> Generator[bytes, None, None]:
        """The plaintext, chunk by chunk; closing the generator releases the blob."""
        ...

    def delete(self, case_id: uuid.UUID, document_id: uuid.UUID) -> None: ...

    def holds_case(self, case_id: uuid.UUID) -> bool: ...

    def delete_case(self, case_id: uuid.UUID) -> None: ...


# The public face writes documents and the internal face and the workers read and shred
# them, each as its own system user in one group (docs/deployment.md): folders and files
# are shared with that group, never with others. The folder's mode is narrowed further
# by the process's umask; the file's is set exactly, since ciphertext alone is no reason
# to hand it to every user of the machine.
FOLDER_MODE = 0o770
FILE_MODE = 0o640


class FolderBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, case_id: uuid.UUID, document_id: uuid.UUID) -> Path:
        return self.root / str(case_id) / str(document_id)

    def put(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID, source: IO[bytes]
    ) -> int:
        """Encrypt ``source`` into the store; plaintext never touches the disk."""
        target = self.path(case_id, document_id)
        target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        # Write to a temporary file and rename, so a crash never leaves half a blob.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            os.fchmod(fd, FILE_MODE)  # mkstemp makes it 0600: readable by the writer only
            with os.fdopen(fd, "wb") as sink:
                size = cipher.encrypt_blob(source, sink, context=blob_context(case_id, document_id))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return size

    def read(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID
    ) -> Generator[bytes, None, None]:
        """The plaintext, chunk by chunk; closing the generator closes the file."""
        with self.path(case_id, document_id).open("rb") as source:
            yield from cipher.decrypt_blob(source, context=blob_context(case_id, document_id))

    def delete(self, case_id: uuid.UUID, document_id: uuid.UUID) -> None:
        self.path(case_id, document_id).unlink(missing_ok=True)

    def holds_case(self, case_id: uuid.UUID) -> bool:
        return (self.root / str(case_id)).is_dir()

    def delete_case(self, case_id: uuid.UUID) -> None:
        folder = self.root / str(case_id)
        if folder.is_dir():
            for blob in folder.iterdir():
                blob.unlink()
            folder.rmdir()


# The ciphertext of an upload waits in memory up to this size, beyond it in a temporary
# file (mode 0600, in the system's temporary folder), until it is sent: a request's memory
# stays bounded whatever the document's size.
SPOOL_IN_MEMORY_BYTES = 1024 * 1024
# The most keys one DeleteObjects request takes (and one listing returns).
DELETE_BATCH = 1000


class S3BlobStore:
    """Blobs as objects ``prefix/case_id/document_id`` of one bucket; nothing of the key
    comes from an applicant."""

    def __init__(
        self, client: Any, bucket: str, prefix: str = "", *, server_side_encryption: str | None
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.server_side_encryption = server_side_encryption

    @classmethod
    def from_url(cls, url: str, *, server_side_encryption: str | None = None) -> "S3BlobStore":
        """A store with its own client: endpoint, region and credentials come from the
        standard AWS environment and configuration files, never from the URL."""
        import boto3  # only a deployment with object storage needs it loaded

        bucket, prefix = parse_s3_url(url)
        # A session of its own: the default one is shared module state, not thread-safe.
        client = boto3.session.Session().client("s3")
        return cls(client, bucket, prefix, server_side_encryption=server_side_encryption)

    def case_prefix(self, case_id: uuid.UUID) -> str:
        return f"{self.prefix}/{case_id}/" if self.prefix else f"{case_id}/"

    def key(self, case_id: uuid.UUID, document_id: uuid.UUID) -> str:
        return f"{self.case_prefix(case_id)}{document_id}"

    def put(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID, source: IO[bytes]
    ) -> int:
        """Encrypt ``source`` and upload the ciphertext; an object appears whole or not at all.

        The cipher writes to a file and the upload reads from one, so the ciphertext is
        spooled in between: it is what the bucket keeps anyway, and the plaintext is never
        written anywhere. A failed encryption uploads nothing.
        """
        extra = (
            {"ServerSideEncryption": self.server_side_encryption}
            if self.server_side_encryption
            else {}
        )
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as ciphertext:
            size = cipher.encrypt_blob(
                source, ciphertext, context=blob_context(case_id, document_id)
            )
            ciphertext.seek(0)
            self.client.upload_fileobj(
                ciphertext, self.bucket, self.key(case_id, document_id), ExtraArgs=extra
            )
        return size

    def read(
        self, cipher: FieldCipher, case_id: uuid.UUID, document_id: uuid.UUID
    ) -> Generator[bytes, None, None]:
        """The plaintext, decrypted as the object's body arrives; closing the generator
        closes the connection. A missing object raises FileNotFoundError, as a missing
        file does."""
        key = self.key(case_id, document_id)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(f"no blob for document {document_id}") from None
        with closing(body):
            yield from cipher.decrypt_blob(body, context=blob_context(case_id, document_id))

    def delete(self, case_id: uuid.UUID, document_id: uuid.UUID) -> None:
        # Deleting a key that is not there succeeds, as unlink(missing_ok=True) does.
        self.client.delete_object(Bucket=self.bucket, Key=self.key(case_id, document_id))

    def holds_case(self, case_id: uuid.UUID) -> bool:
        listing = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=self.case_prefix(case_id), MaxKeys=1
        )
        return bool(listing.get("KeyCount"))

    def delete_case(self, case_id: uuid.UUID) -> None:
        """Delete every object under the case's prefix, a listing's worth at a time.

        Listing again from the start after each batch, rather than paging on, ends however
        the listing and the deletes interleave; a key that could not be deleted raises
        rather than leaving the case half shredded in silence.
        """
        while True:
            listing = self.client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.case_prefix(case_id), MaxKeys=DELETE_BATCH
            )
            keys = [{"Key": item["Key"]} for item in listing.get("Contents", [])]
            if not keys:
                return
            outcome = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True}
            )
            if outcome.get("Errors"):
                codes = sorted({error.get("Code", "?") for error in outcome["Errors"]})
                raise OSError(f"object storage refused to delete blobs: {', '.join(codes)}")

    # Backups (deploy/backup.sh, deploy/restore.sh) copy the objects' ciphertext as it is,
    # into and out of a folder laid out as FolderBlobStore lays out its files, so that one
    # archive format and one restore serve both stores. Nothing is decrypted on the way.

    def _keys(self) -> Generator[str, None, None]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else ""
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"]

    def _relative(self, key: str) -> Path | None:
        """``case_id/document_id`` for a key this store wrote, else None."""
        parts = key.removeprefix(f"{self.prefix}/" if self.prefix else "").split("/")
        if len(parts) != 2:
            return None
        try:
            return Path(str(uuid.UUID(parts[0]))) / str(uuid.UUID(parts[1]))
        except ValueError:
            return None

    def copy_out(self, folder: Path) -> int:
        """Download every blob's ciphertext into ``folder``; how many were copied."""
        copied = 0
        for key in self._keys():
            relative = self._relative(key)
            if relative is None:
                continue  # not a document's blob: not the portal's to back up
            target = folder / relative
            target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            self.client.download_file(self.bucket, key, str(target))
            copied += 1
        return copied

    def copy_in(self, folder: Path) -> tuple[int, int]:
        """Upload every blob in ``folder`` (as ``copy_out`` wrote it), replacing objects of
        the same key; (how many were uploaded, how many objects the bucket holds that the
        folder does not: documents written after the backup, unreadable once the database
        is restored without their rows)."""
        extra = (
            {"ServerSideEncryption": self.server_side_encryption}
            if self.server_side_encryption
            else {}
        )
        restored = set()
        for path in sorted(folder.glob("*/*")):
            relative = self._relative(f"{path.parent.name}/{path.name}")
            if relative is None or not path.is_file():
                continue
            key = self.key(uuid.UUID(relative.parent.name), uuid.UUID(relative.name))
            self.client.upload_file(str(path), self.bucket, key, ExtraArgs=extra)
            restored.add(key)
        others = sum(
            1 for key in self._keys() if key not in restored and self._relative(key) is not None
        )
        return len(restored), others


def store_for(config: Mapping[str, Any]) -> BlobStore:
    """The store the configuration names: the bucket of ``PORTAL_BLOB_URL`` if set, else
    the folder ``PORTAL_BLOB_DIR``."""
    url = config.get("PORTAL_BLOB_URL")
    if url:
        return S3BlobStore.from_url(
            url, server_side_encryption=config.get("PORTAL_BLOB_S3_SSE") or None
        )
    return FolderBlobStore(Path(config["PORTAL_BLOB_DIR"]))
