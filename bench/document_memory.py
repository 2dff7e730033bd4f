"""Memory one request holds to upload or to download a document, by the document's size.

    .venv/bin/python bench/document_memory.py [--sizes 1,10]      # sizes in MiB

For each size a fresh process runs the portal in-process on a temporary instance (SQLite,
embedded Redis, the default configuration: uploads up to 10 MiB) and drives it with the test
client: an applicant uploads a scanned PDF of that size on the documents page, sends the
application, the intake screens it, and a decider downloads the document. The request body
is written to a file first and the download is read and hashed piece by piece, so the
figures are the server's, not the client's. Each request runs twice after a warm-up with a
small file: once for the growth of the process's resident memory at its peak (VmHWM, reset
before the request), once for the peak of Python's allocations (tracemalloc, which slows
the request down and so is kept out of the first run). Beside them, in the same process:
the file's size, and the tracemalloc peak of decrypting it into one bytes object, as the
download did before it streamed.

Most of an upload's figure is werkzeug's: it keeps the first 500 KiB of a file part in
memory before it moves the part to a temporary file.

Prints a table and writes ``bench/results/document_memory.json``. The target: flat memory,
each request's Python peak for the largest file under a fifth of the file's size.
"""

import argparse
import ctypes
import gc
import hashlib
import json
import logging
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyotp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import embedded_app  # noqa: E402

RESULT = ROOT / "bench" / "results" / "document_memory.json"
MIB = 1024 * 1024
PIECE = 64 * 1024
TARGET_SHARE = 0.2  # of the file's size, for each request's Python peak
BOUNDARY = "----PortalBenchDocument"


def _status(field: str) -> int:
    """A VmRSS/VmHWM figure of this process, in bytes."""
    found = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert found, field
    return int(found[1]) * 1024


def _rss_growth(request: Callable[[], None]) -> int:
    """How far resident memory rises above where it stood, at the request's peak."""
    gc.collect()
    # Free memory that malloc kept from earlier requests would hide this one's growth.
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before = _status("VmRSS")
    request()
    return _status("VmHWM") - before


def _python_peak(request: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        request()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _scanned_pdf(size: int, seed: int) -> Iterator[bytes]:
    """A PDF of exactly ``size`` bytes, as a scanner makes them: a Flate-compressed page
    description, then one large image stream (random bytes stand in for its JPEG data)."""
    page = zlib.compress(b"q 595 0 0 842 0 0 cm /Im1 Do Q\n" * 200)
    head = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        + b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(page)
        + page
        + b"\nendstream\nendobj\n5 0 obj\n<< /Subtype /Image /Filter /DCTDecode >>\nstream\n"
    )
    objects_end = b"\nendstream\nendobj\n"
    trailer = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R /Size 1 >>\n"
    # The offset of the cross-reference section, written with a fixed width.
    xref_at = size - len(objects_end + trailer) - len(b"startxref\n0000000000\n%%EOF\n")
    xref_at += len(objects_end)
    tail = objects_end + trailer + b"startxref\n%010d\n%%%%EOF\n" % xref_at
    yield head
    left = size - len(head) - len(tail)
    generator = random.Random(seed)
    while left > 0:
        piece = generator.randbytes(min(PIECE, left)).replace(b"/", b"|")
        left -= len(piece)
        yield piece
    yield tail


def _upload_body(target: IO[bytes], token: str, size: int, seed: int) -> str:
    """Write the documents form, as a browser sends it, to ``target``; return its hash."""
    digest = hashlib.sha256()
    target.write(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n'
            f'employment\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
    )
    for piece in _scanned_pdf(size, seed):
        digest.update(piece)
        target.write(piece)
    target.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return digest.hexdigest()


def _app(instance: Path) -> Any:
    app, redis_server = embedded_app(instance)
    app.extensions["bench.redis"] = redis_server  # kept alive as long as the app
    return app


def measure(size: int) -> dict[str, Any]:
    """Everything for one file size, in this process."""
    logging.disable(logging.INFO)  # no migration log in the figures' output
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_staff
    from portal.cases.custody import blob_store, open_with_intake_key
    from portal.cases.models import Case, Document
    from portal.cases.states import ActorKind
    from portal.extensions import db
    from portal.intake.tasks import process_case
    from tests.apply.journey import Applicant, csrf

    instance = Path(tempfile.mkdtemp(prefix="portal-bench-documents-"))
    app = _app(instance)
    applicant = Applicant(app.test_client())
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()

    def upload(body: IO[bytes]) -> Callable[[], None]:
        length = body.seek(0, os.SEEK_END)
        body.seek(0)

        def request() -> None:
            response = applicant.client.post(
                "/application/documents",
                input_stream=body,
                content_length=length,
                content_type=f"multipart/form-data; boundary={BOUNDARY}",
            )
            assert response.status_code == 302, response.get_data(as_text=True)

        return request

    def stored() -> set[Any]:
        with app.app_context():
            found = set(db.session.scalars(select(Document.id)))
            db.session.remove()
        return found

    figures: dict[str, Any] = {"file_bytes": size}
    uploaded: dict[str, tuple[Any, str]] = {}  # run: (document id, sha-256 of the file)
    # The warm-up's file is larger than werkzeug keeps in memory before it spools to disk.
    for run, file_size in (("warm-up", 600 * 1024), ("rss", size), ("python", size)):
        token = csrf(applicant.get("/application/documents").get_data(as_text=True))
        before = stored()
        with tempfile.TemporaryFile() as body:
            digest = _upload_body(body, token, file_size, seed=len(uploaded))
            request = upload(body)
            if run == "warm-up":
                request()
            elif run == "rss":
                figures["upload_rss_growth_bytes"] = _rss_growth(request)
            else:
                figures["upload_python_peak_bytes"] = _python_peak(request)
        (document_id,) = stored() - before
        uploaded[run] = (document_id, digest)
    assert applicant.submit().status_code == 302

    with app.app_context():
        case_id = db.session.scalars(select(Case.id)).one()
        _user, password, secret = create_staff(db.session, "bench", "Bench", [Role.DECIDER])
        db.session.commit()
        db.session.remove()
        process_case(str(case_id))

    staff = app.test_client()
    token = csrf(staff.get("/staff/sign-in").get_data(as_text=True))
    signed_in = staff.post(
        "/staff/sign-in",
        data={
            "username": "bench",
            "password": password,
            "code": pyotp.TOTP(secret).now(),
            "csrf_token": token,
        },
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)

    def download(document_id: Any, expected: str) -> Callable[[], None]:
        def request() -> None:
            response = staff.get(f"/staff/cases/{case_id}/documents/{document_id}")
            assert response.status_code == 200
            digest = hashlib.sha256()
            for piece in response.response:
                digest.update(piece)
            response.close()
            assert digest.hexdigest() == expected, "the download differs from the upload"

        return request

    download(*uploaded["warm-up"])()
    figures["download_rss_growth_bytes"] = _rss_growth(download(*uploaded["rss"]))
    figures["download_python_peak_bytes"] = _python_peak(download(*uploaded["rss"]))

    with app.app_context():
        case = db.session.get(Case, case_id)
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="benchmark")
        cipher = case.sealed_cipher("case")

        document_id, expected = uploaded["rss"]

        def whole() -> None:
            body = b"".join(blob_store().read(cipher, case_id, document_id))
            assert hashlib.sha256(body).hexdigest() == expected

        figures["whole_file_python_peak_bytes"] = _python_peak(whole)
        db.session.rollback()
        db.session.remove()
    app.extensions["bench.redis"].shutdown()
    shutil.rmtree(instance, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10", help="file sizes in MiB, comma-separated")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size, bytes
    arguments = parser.parse_args()
    if arguments.one:
        print(json.dumps(measure(arguments.one)))
        return 0
    rows = []
    for mebibytes in (float(size) for size in arguments.sizes.split(",")):
        child = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--one", str(int(mebibytes * MIB))],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
    columns = [
        ("file", "file_bytes"),
        ("upload python", "upload_python_peak_bytes"),
        ("upload rss", "upload_rss_growth_bytes"),
        ("download python", "download_python_peak_bytes"),
        ("download rss", "download_rss_growth_bytes"),
        ("whole file python", "whole_file_python_peak_bytes"),
    ]
    print("MiB held by one request (python: tracemalloc peak; rss: resident growth at peak)")
    print("  ".join(f"{title:>17}" for title, _key in columns))
    for row in rows:
        print("  ".join(f"{row[key] / MIB:>17.2f}" for _title, key in columns))
    largest = max(rows, key=lambda row: row["file_bytes"])
    limit = TARGET_SHARE * largest["file_bytes"]
    met = all(
        largest[key] < limit for key in ("upload_python_peak_bytes", "download_python_peak_bytes")
    )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "benchmark": "memory per request, upload and download of one document",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "measures": {
                    "python_peak_bytes": "tracemalloc peak above the start of the request",
                    "rss_growth_bytes": "VmHWM at the end minus VmRSS at the start",
                    "whole_file_python_peak_bytes": "decrypting into one bytes object "
                    "(the download before it streamed), for reference",
                },
                "target_python_peak_share_of_file": TARGET_SHARE,
                "target_met": met,
                "sizes": rows,
                "python": platform.python_version(),
            },
            indent=2,
        )
        + "\n"
    )
    print(
        f"target: largest file's peaks under {TARGET_SHARE:.0%} of its size: "
        + ("met" if met else "MISSED")
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
