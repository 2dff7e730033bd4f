"""The blob store shares documents with its group only: the public face writes them and
the internal face and the workers, other system users in that group, read and shred them."""

import io
import os
import stat
import uuid
from pathlib import Path

from portal.core import crypto
from portal.core.blobstore import FolderBlobStore


def test_a_document_is_readable_by_the_group_and_by_nobody_else(tmp_path: Path) -> None:
    store = FolderBlobStore(tmp_path / "blobs")
    cipher = crypto.FieldCipher(crypto.new_data_key())
    case_id, document_id = uuid.uuid4(), uuid.uuid4()
    previous = os.umask(0o007)  # what the services run with (deploy/systemd)
    try:
        store.put(cipher, case_id, document_id, io.BytesIO(b"%PDF-1.7 scan"))
    finally:
        os.umask(previous)

    blob = store.path(case_id, document_id)
    assert stat.S_IMODE(blob.stat().st_mode) == 0o640
    assert stat.S_IMODE(blob.parent.stat().st_mode) == 0o770
    assert b"".join(store.read(cipher, case_id, document_id)) == b"%PDF-1.7 scan"
