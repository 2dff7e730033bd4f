"""Encrypted document bytes on disk, named by uuid, never by a user's filename."""

import os
import tempfile
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import IO

from portal.core.crypto import FieldCipher


def blob_context(case_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
    return f"blob|{case_id}|{document_id}".encode()


# The public face writes documents and the internal face and the workers read and shred
# them, each as its own system user in one group (docs/deployment.md): folders and files
# are shared with that group, never with others. The folder's mode is narrowed further
# by the process's umask; the file's is set exactly, since ciphertext alone is no reason
# to hand it to every user of the machine.
FOLDER_MODE = 0o770
FILE_MODE = 0o640


class BlobStore:
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
