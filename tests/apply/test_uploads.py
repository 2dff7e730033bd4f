"""Uploads are judged by their bytes, read piece by piece; images leave without their
metadata."""

import io
import random
import zlib

import pytest
from PIL import Image

from portal.apply.uploads import (
    JPEG,
    MAX_PIXELS,
    PDF,
    PNG,
    READ_BYTES,
    CleanFile,
    UploadRejected,
    check_upload,
)

LIMIT = 10 * 1024 * 1024
KABUL = (34.0, 31.0, 0.0)  # 34 degrees 31 minutes north


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", KABUL, "E", (69.0, 10.0, 0.0)
    exif[0x010F] = "PhoneMaker"  # camera make
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def png(width: int = 20, height: int = 20) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height)).save(output, format="PNG")
    return output.getvalue()


def pdf(body: bytes = b"") -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog " + body + b" >>\nendobj\ntrailer\n%%EOF\n"


def filler(size: int, seed: int = 7) -> bytes:
    """Bytes that look like a scan's image data but cannot spell a PDF name."""
    return random.Random(seed).randbytes(size).replace(b"/", b"|")


def pdf_of(size: int) -> bytes:
    """A plain PDF of exactly ``size`` bytes (many encryption chunks for a large size)."""
    return pdf(filler(size - len(pdf())))


def drawing(size: int) -> bytes:
    """A page's drawing operators: compressible, as real content streams are."""
    lines = (
        b"%d %d m %d %d l S\n" % (i % 597, i * 7 % 842, i * 3 % 597, i % 842) for i in range(size)
    )
    return b"".join(lines)[:size]


def compressed_stream(content: bytes, newline: bytes = b"\r\n") -> bytes:
    packed = zlib.compress(content)
    head = b"<< /Length %d /Filter /FlateDecode >>\nstream" % len(packed)
    return head + newline + packed + b"\r\nendstream\n"


class Dribble(io.BytesIO):
    """A file whose every read returns at most ``step`` bytes, so that anything the check
    looks for is cut at every possible place."""

    def __init__(self, content: bytes, step: int) -> None:
        super().__init__(content)
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.step if size is None or size < 0 else min(size, self.step))


def check(content: bytes, max_bytes: int = LIMIT) -> CleanFile:
    return check_upload(io.BytesIO(content), max_bytes=max_bytes)


def stored(clean: CleanFile) -> bytes:
    return b"".join(iter(lambda: clean.source.read(READ_BYTES), b""))


def test_gps_and_all_metadata_are_removed_from_photos() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it really has GPS
    clean = check(original)
    assert clean.content_type == JPEG
    content = stored(clean)
    assert clean.size == len(content)
    cleaned = Image.open(io.BytesIO(content))
    assert dict(cleaned.getexif()) == {}
    assert b"PhoneMaker" not in content and b"Exif" not in content
    assert cleaned.size == (64, 48)


def test_a_png_is_kept_as_png() -> None:
    assert check(png()).content_type == PNG


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"MZ\x90\x00 an executable renamed to photo.jpg", "wrong_type"),
        (b"<html><script>alert(1)</script></html>", "wrong_type"),
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0 a JPEG header and nothing else", "damaged"),
    ],
)
def test_files_are_judged_by_their_content(content: bytes, reason: str) -> None:
    with pytest.raises(UploadRejected) as rejected:
        check(content)
    assert rejected.value.reason == reason


def test_one_byte_over_the_limit_is_refused() -> None:
    content = pdf()
    assert check(content, max_bytes=len(content)).content_type == PDF
    with pytest.raises(UploadRejected, match="too_large"):
        check(content, max_bytes=len(content) - 1)


def test_a_pixel_flood_is_refused_before_decoding() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    flood = png(side, side)  # small on disk, huge in memory
    assert len(flood) < LIMIT
    with pytest.raises(UploadRejected, match="too_many_pixels"):
        check(flood)


@pytest.mark.parametrize(
    "body",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/Names << /JavaScript 3 0 R >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (x) >>",  # names disguised with #xx escapes
        b"/AA << /O << /S /Launch /F (cmd.exe) >> >>",
        b"/EmbeddedFiles << >>",
    ],
)
def test_a_pdf_with_active_content_is_refused(body: bytes) -> None:
    with pytest.raises(UploadRejected, match="active_pdf"):
        check(pdf(body))


def test_javascript_hidden_in_a_compressed_stream_is_found() -> None:
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    content = pdf(b"/Length %d >>\nstream\n" % len(hidden) + hidden + b"\nendstream\n<<")
    with pytest.raises(UploadRejected, match="active_pdf"):
        check(content)


def test_a_plain_pdf_is_accepted_unchanged() -> None:
    content = pdf(b"/Pages 2 0 R")
    clean = check(content)
    assert stored(clean) == content and clean.size == len(content)


ACTIVE_BODIES = [
    b"/OpenAction << /S /J#61vaScript /J#53 (x) >>",
    b"/#45#6d#62#65#64#64#65#64#46#69#6c#65#73 << >>",  # /EmbeddedFiles, wholly escaped
    b"/Launch",
]


@pytest.mark.parametrize("body", ACTIVE_BODIES)
def test_an_active_name_is_found_wherever_the_reads_cut_it(body: bytes) -> None:
    with pytest.raises(UploadRejected, match="active_pdf"):
        check_upload(Dribble(pdf(body), step=1), max_bytes=LIMIT)


@pytest.mark.parametrize("offset", range(-12, 4))
def test_an_active_name_across_the_read_size_is_found(offset: int) -> None:
    head = pdf()[:16]
    content = head + b" " * (READ_BYTES + offset - len(head)) + b"/J#61vaScript (x)" + pdf()
    with pytest.raises(UploadRejected, match="active_pdf"):
        check(content)


def test_a_harmless_name_cut_after_an_active_prefix_is_accepted() -> None:
    """/JSON begins like /JS: a read that ends after /JS must not refuse the file."""
    content = pdf(b"/JSON (x) /AAbc (y) /Launcher (z)")
    for step in (1, 2, 3, 5, 64):
        assert check_upload(Dribble(content, step), max_bytes=LIMIT).content_type == PDF


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert(1)) >>"


@pytest.mark.parametrize(
    ("step", "newline"),
    [(1, b"\r\n"), (7, b"\n"), (READ_BYTES, b"\r\n"), (1, b"\n\r\n"), (READ_BYTES, b"\n\n")],
)
def test_javascript_in_a_large_compressed_stream_is_found_whatever_the_reads(
    step: int, newline: bytes
) -> None:
    content = pdf(compressed_stream(drawing(3 * READ_BYTES) + JAVASCRIPT, newline))
    assert b"JavaScript" not in content  # really hidden
    with pytest.raises(UploadRejected, match="active_pdf"):
        check_upload(Dribble(content, step), max_bytes=LIMIT)


@pytest.mark.parametrize("step", [1, 7, READ_BYTES])
def test_javascript_in_a_later_stream_is_found_whatever_the_reads(step: int) -> None:
    content = pdf(
        compressed_stream(drawing(READ_BYTES))
        + b"<< >>"
        + compressed_stream(drawing(2 * READ_BYTES) + JAVASCRIPT)
    )
    assert b"JavaScript" not in content
    with pytest.raises(UploadRejected, match="active_pdf"):
        check_upload(Dribble(content, step), max_bytes=LIMIT)


def test_a_large_pdf_with_plain_compressed_streams_is_accepted_unchanged() -> None:
    raw = filler(3 * READ_BYTES + 11)
    content = pdf(
        compressed_stream(drawing(2 * READ_BYTES))
        + b"<< /Length %d >>\nstream\n" % len(raw)
        + raw
        + b"\nendstream\n<<"
    )
    clean = check_upload(Dribble(content, step=1000), max_bytes=LIMIT)
    assert clean.content_type == PDF and clean.size == len(content)
    assert stored(clean) == content


def test_blank_lines_before_a_pdf_header_are_skipped_however_long() -> None:
    content = b"\r\n" * READ_BYTES + pdf()
    assert check(content).content_type == PDF
    assert stored(check(content)) == content
