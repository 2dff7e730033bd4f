"""Uploads are judged by their bytes; images leave without their metadata."""

import io
import zlib

import pytest
from PIL import Image

from portal.apply.uploads import JPEG, MAX_PIXELS, PDF, PNG, UploadRejected, check_upload

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


def test_gps_and_all_metadata_are_removed_from_photos() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it really has GPS
    clean = check_upload(original, max_bytes=LIMIT)
    assert clean.content_type == JPEG
    cleaned = Image.open(io.BytesIO(clean.content))
    assert dict(cleaned.getexif()) == {}
    assert b"PhoneMaker" not in clean.content and b"Exif" not in clean.content
    assert cleaned.size == (64, 48)


def test_a_png_is_kept_as_png() -> None:
    assert check_upload(png(), max_bytes=LIMIT).content_type == PNG


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
        check_upload(content, max_bytes=LIMIT)
    assert rejected.value.reason == reason


def test_one_byte_over_the_limit_is_refused() -> None:
    content = pdf()
    assert check_upload(content, max_bytes=len(content)).content_type == PDF
    with pytest.raises(UploadRejected, match="too_large"):
        check_upload(content, max_bytes=len(content) - 1)


def test_a_pixel_flood_is_refused_before_decoding() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    flood = png(side, side)  # small on disk, huge in memory
    assert len(flood) < LIMIT
    with pytest.raises(UploadRejected, match="too_many_pixels"):
        check_upload(flood, max_bytes=LIMIT)


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
        check_upload(pdf(body), max_bytes=LIMIT)


def test_javascript_hidden_in_a_compressed_stream_is_found() -> None:
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    content = pdf(b"/Length %d >>\nstream\n" % len(hidden) + hidden + b"\nendstream\n<<")
    with pytest.raises(UploadRejected, match="active_pdf"):
        check_upload(content, max_bytes=LIMIT)


def test_a_plain_pdf_is_accepted_unchanged() -> None:
    content = pdf(b"/Pages 2 0 R")
    assert check_upload(content, max_bytes=LIMIT).content == content
