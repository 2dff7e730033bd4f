"""Uploads are judged by their bytes, read piece by piece; images leave without their
metadata."""

import binascii
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from markupsafe import escape
from PIL import Image, ImageOps, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from portal.apply.uploads import (
    ACTIVE_PDF,
    JPEG,
    MAX_INFLATED_BYTES,
    MAX_PIXELS,
    PDF,
    PNG,
    READ_BYTES,
    CleanFile,
    UploadRejected,
    check_upload,
)
from portal.cases.custody import open_with_intake_key
from portal.cases.models import Case, Document, Message
from portal.cases.states import ActorKind
from portal.extensions import db
from tests.apply.journey import Applicant
from tests.conftest import AppFactory

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
    """The smallest PDF that ends as a real one does: a trailer, ``startxref``, ``%%EOF``."""
    objects = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog " + body + b" >>\nendobj\n"
    xref = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R /Size 1 >>\n"
    return objects + xref + b"startxref\n%d\n%%%%EOF\n" % len(objects)


def filler(size: int, seed: int = 7) -> bytes:
    """Bytes that look like a scan's image data but cannot spell a PDF name."""
    return random.Random(seed).randbytes(size).replace(b"/", b"|")


def pdf_of(size: int) -> bytes:
    """A plain PDF of exactly ``size`` bytes (many encryption chunks for a large size)."""
    body_size = size - len(pdf())
    while len(content := pdf(filler(body_size))) != size:  # the offset grew a digit or two
        body_size -= len(content) - size
    return content


def drawing(size: int) -> bytes:
    """A page's drawing operators: compressible, as real content streams are."""
    lines = (
        b"%d %d m %d %d l S\n" % (i % 597, i * 7 % 842, i * 3 % 597, i % 842) for i in range(size)
    )
    return b"".join(lines)[:size]


def compressed_stream(content: bytes, newline: bytes = b"\r\n") -> bytes:
    return compressed_stream_of(zlib.compress(content), newline)


def compressed_stream_of(packed: bytes, newline: bytes = b"\r\n") -> bytes:
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


# The corpus below is what an attacker (or a broken phone) sends instead of a document.


def jpeg(width: int = 64, height: int = 48) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with(chunk: bytes, *, after_pixels: bool = False) -> bytes:
    """A small PNG with ``chunk`` before its pixel data, or after it (just before IEND)."""
    content = png()
    at = len(content) - 12 if after_pixels else 33  # IEND is 12 bytes; IHDR ends at 33
    return content[:at] + chunk + content[at:]


def text_bomb(kind: bytes = b"zTXt") -> bytes:
    """A compressed text chunk of about a kilobyte that inflates past Pillow's limit."""
    text = zlib.compress(b"A" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), 9)
    header = b"Comment\x00\x00" if kind == b"zTXt" else b"Comment\x00\x01\x00\x00\x00"
    return png_chunk(kind, header + text)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its few bytes of pixel data never fill."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header is changed to claim ``width`` x ``height``."""
    content = bytearray(jpeg())
    frame = content.index(b"\xff\xc0")  # SOF0: marker, length, precision, height, width
    content[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(content)


def zip_archive(comment: bytes = b"") -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
        archive.comment = comment
    return output.getvalue()


def office_document() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
    return output.getvalue()


def flate_bomb(mebibytes: int) -> bytes:
    """A zlib stream of ``mebibytes`` MiB of zeros, built without compressing them all:
    after a full flush the compressor gives the same bytes for the same block."""
    block = bytes(1024 * 1024)
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-4]  # the last block, without the checksum of two blocks
    checksum = 1
    for _ in range(mebibytes):
        checksum = zlib.adler32(block, checksum)
    return first + again * (mebibytes - 1) + end + struct.pack(">I", checksum)


def test_the_flate_bomb_is_what_it_claims() -> None:
    assert zlib.decompress(flate_bomb(3)) == bytes(3 * 1024 * 1024)


MAX_INFLATED_MIB = MAX_INFLATED_BYTES // (1024 * 1024)
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"

# (name, content, reason): each of these is refused whatever it is called.
REFUSED = [
    ("empty", b"", "empty"),
    ("zip", zip_archive(), "wrong_type"),
    ("office", office_document(), "wrong_type"),
    ("old-office", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "wrong_type"),
    ("exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(64) + b"PE\x00\x00", "wrong_type"),
    ("html", HTML, "wrong_type"),
    ("html-then-pdf", HTML + pdf(), "wrong_type"),
    ("pdf-without-version", b"%PDF-x\n" + pdf()[9:], "wrong_type"),
    ("pdf-then-zip", pdf() + zip_archive(), "appended_data"),
    ("pdf-then-html", pdf() + HTML, "appended_data"),
    # A ZIP behind a PDF header whose comment fakes a PDF's last line: still a ZIP.
    ("zip-as-pdf", b"%PDF-1.7\n" + zip_archive(b"\nstartxref\n9\n%%EOF\n"), "appended_data"),
    ("pdf-flate-bomb", pdf(compressed_stream_of(flate_bomb(MAX_INFLATED_MIB + 1))), "damaged"),
    ("pdf-cut-short", pdf_of(5000)[:4000], "damaged"),
    ("pdf-without-trailer", b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n%%EOF\n", "damaged"),
    ("pdf-pointing-past-its-end", pdf().replace(b"startxref\n", b"startxref\n9"), "damaged"),
    ("jpeg-cut-short", jpeg()[: len(jpeg()) // 2], "damaged"),
    ("png-cut-short", png()[: len(png()) // 2], "damaged"),
    ("png-text-bomb", png_with(text_bomb()), "damaged"),
    ("png-text-bomb-after-pixels", png_with(text_bomb(), after_pixels=True), "damaged"),
    ("png-international-text-bomb", png_with(text_bomb(b"iTXt")), "damaged"),
    ("png-pixel-bomb", png_claiming(30_000, 30_000), "too_many_pixels"),
    ("png-pixel-bomb-below-pillows-limit", png_claiming(10_000, 10_000), "too_many_pixels"),
    ("jpeg-pixel-bomb", jpeg_claiming(60_000, 60_000), "too_many_pixels"),
]


@pytest.mark.parametrize(
    ("content", "reason"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_hostile_and_broken_files_are_refused_for_a_reason(content: bytes, reason: str) -> None:
    assert len(content) < LIMIT
    with pytest.raises(UploadRejected) as rejected:
        check(content)
    assert rejected.value.reason == reason


def test_a_zip_behind_a_pdf_header_really_opens_as_a_zip() -> None:
    """The corpus's polyglot is what it claims: an archive tool opens it."""
    content = next(content for name, content, _ in REFUSED if name == "zip-as-pdf")
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == ["index.html"]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (jpeg() + HTML, JPEG),
        (jpeg_with_gps() + zip_archive(), JPEG),
        (png() + zip_archive(), PNG),
        (png() + HTML, PNG),
    ],
    ids=["jpeg-then-html", "jpeg-then-zip", "png-then-zip", "png-then-html"],
)
def test_whatever_hides_behind_an_image_is_dropped_by_re_encoding(
    content: bytes, kind: str
) -> None:
    clean = check(content)
    kept = stored(clean)
    assert clean.content_type == kind
    assert b"<script" not in kept and b"PK\x05\x06" not in kept and b"PK\x03\x04" not in kept
    assert Image.open(io.BytesIO(kept)).size in {(64, 48), (20, 20)}


# A catalog that runs JavaScript when the file opens, kept where the byte scan cannot
# read it: in an object stream whose content is hex-encoded, or Flate-compressed with a
# PNG predictor (the rows hold differences, not the names). A reader decodes both.
HIDDEN_OBJECTS = {
    2: b"<< /Type /Catalog /Pages 3 0 R /OpenAction 5 0 R >>",
    3: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    4: b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] >>",
    5: b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>",
}


def _hex(data: bytes) -> tuple[bytes, bytes]:
    return b"/Filter /ASCIIHexDecode", binascii.hexlify(data) + b">"


def _predicted(data: bytes, columns: int = 8) -> tuple[bytes, bytes]:
    rows = [data[at : at + columns].ljust(columns, b" ") for at in range(0, len(data), columns)]
    previous, encoded = bytes(columns), b""
    for row in rows:  # PNG "Up": each byte minus the one above it
        encoded += b"\x02" + bytes((row[i] - previous[i]) % 256 for i in range(columns))
        previous = row
    parameters = b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns %d >>" % columns
    return parameters, zlib.compress(encoded)


def _objects_hidden_by(encode: Any) -> bytes:
    """A PDF whose objects all live in one object stream, encoded by ``encode``, found
    through a cross-reference stream encoded the same way."""
    header, body = b"", b""
    for number, text in HIDDEN_OBJECTS.items():
        header += b"%d %d " % (number, len(body))
        body += text + b"\n"
    filters, packed = encode(header + body)
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    stream_at = len(out)
    out += b"1 0 obj\n<< /Type /ObjStm /N %d /First %d %s /Length %d >>\nstream\n" % (
        len(HIDDEN_OBJECTS),
        len(header),
        filters,
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    entries = bytes([0, 0, 0, 0xFF, 0xFF, 1]) + stream_at.to_bytes(2, "big") + bytes(2)
    for index in range(len(HIDDEN_OBJECTS)):
        entries += bytes([2, 0, 1]) + index.to_bytes(2, "big")
    entries += bytes([1]) + xref_at.to_bytes(2, "big") + bytes(2)
    filters, packed = _hex(entries)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 2 2] /Root 2 0 R %s /Length %d >>\n" % (
        filters,
        len(packed),
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return out


@pytest.mark.parametrize("encode", [_hex, _predicted], ids=["hex", "png-predictor"])
def test_javascript_hidden_in_an_encoded_object_stream_is_found(encode: Any) -> None:
    content = _objects_hidden_by(encode)
    assert ACTIVE_PDF.search(content) is None  # no active name among the bytes as they are
    root = PdfReader(io.BytesIO(content)).trailer["/Root"]  # what a reader finds in it
    assert root["/OpenAction"]["/S"] == "/JavaScript"
    with pytest.raises(UploadRejected) as refused:
        check(content)
    assert refused.value.reason == "active_pdf"


def _written_by_pypdf(**encryption: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if encryption:
        writer.encrypt(**encryption)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_an_encrypted_pdf_is_refused_and_a_plain_one_kept() -> None:
    """An encrypted file's streams, object streams among them, are ciphertext to the
    scan, though a reader opens one without a password at once."""
    with pytest.raises(UploadRejected) as refused:
        check(_written_by_pypdf(user_password="", owner_password="owner"))
    assert refused.value.reason == "encrypted_pdf"
    plain = _written_by_pypdf()
    assert stored(check(plain)) == plain


def test_a_pdf_may_end_with_blank_lines_or_padding() -> None:
    for ending in (b"", b"\r\n", b"\n\n\n", b"\x00" * 100):
        assert check(pdf() + ending).content_type == PDF


def test_a_pdf_updated_incrementally_is_accepted() -> None:
    """Later revisions append objects and a second trailer; the last one counts."""
    content = pdf()
    added = b"2 0 obj\n<< >>\nendobj\n"
    xref = b"xref\n2 1\n%010d 00000 n \ntrailer\n<< /Root 1 0 R /Size 3 /Prev %d >>\n" % (
        len(content),
        content.index(b"xref"),
    )
    update = added + xref + b"startxref\n%d\n%%%%EOF\n" % (len(content) + len(added))
    assert check(content + update).content_type == PDF


def test_a_photo_is_turned_upright_before_its_metadata_is_dropped() -> None:
    """A phone stores a photo taken upright as landscape pixels and an EXIF orientation;
    dropping the EXIF without turning the pixels would show a passport on its side."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to view
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(output, format="JPEG", exif=exif.tobytes())
    cleaned = Image.open(io.BytesIO(stored(check(output.getvalue()))))
    assert cleaned.size == (48, 64)
    assert dict(cleaned.getexif()) == {}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_is_turned_as_pillow_turns_it(orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    picture = Image.new("RGB", (4, 2))
    picture.putdata([(255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9)] * 2)
    output = io.BytesIO()
    picture.save(output, format="PNG", exif=exif.tobytes())
    cleaned = Image.open(io.BytesIO(stored(check(output.getvalue()))))
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(output.getvalue())))
    assert cleaned.convert("RGB").tobytes() == expected.convert("RGB").tobytes()


def _photo_with_camera_exif() -> bytes:
    picture = Image.new("RGB", (16, 8), "red")
    exif = Image.Exif()
    exif[0x0112], exif[0x010F], exif[0x0132] = 6, "Cam", "2020:01:01 00:00:00"
    exif.get_ifd(0x8769)[0x9003] = "2020:01:01 00:00:00"
    exif.get_ifd(0x8825)[1] = "N"
    output = io.BytesIO()
    picture.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


# Bytes of that photo's EXIF block changed as a fuzzer changed them: a tag's type no
# longer fits its value. Writing the block anew raised TypeError: a server error.
DAMAGED_EXIF = [{167: 6}, {120: 9, 128: 9, 165: 5}, {67: 128, 112: 8, 127: 1, 139: 8, 165: 6}]


@pytest.mark.parametrize("damage", DAMAGED_EXIF)
def test_a_photo_whose_exif_tags_are_damaged_is_judged_by_its_pixels(damage: dict) -> None:
    photo = bytearray(_photo_with_camera_exif())
    assert len(photo) == 793  # the photo the damage was found in
    for offset, byte in damage.items():
        photo[offset] = byte
    try:
        cleaned = Image.open(io.BytesIO(stored(check(bytes(photo)))))
    except UploadRejected as refused:  # a refusal is an answer; an exception of another kind is not
        assert refused.reason == "damaged"
    else:
        assert dict(cleaned.getexif()) == {}


# Through the pages: a refusal is a 400 with its reason in the applicant's language, and
# nothing of the file is kept.

MEGABYTE = 1024 * 1024
EXPLANATIONS = {
    "empty": "The file is empty.",
    "too_large": "The file is larger than %(size)s MB.",
    "wrong_type": "Only JPEG and PNG photos and PDF files can be uploaded.",
    "damaged": "The file seems to be damaged. Please try another one.",
    "too_many_pixels": "The picture is too large. Please send a smaller photo.",
    "appended_data": "This PDF has other data attached to it and cannot be accepted. "
    "Please save it again as a plain PDF, or send a photo of it.",
    "active_pdf": "This PDF contains active content and cannot be accepted. "
    "Please save it again as a plain PDF, or send a photo of it.",
    "encrypted_pdf": "This PDF is encrypted or protected with a password and cannot be "
    "accepted. Please save it again as a plain PDF, or send a photo of it.",
}


def explanation(language: str, reason: str) -> str:
    with open(f"translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        translated = str(read_po(handle)[EXPLANATIONS[reason]].string)
    assert translated, f"{reason} is not translated into {language}"
    # The limit in the page's digits (PORTAL_UPLOAD_MAX_BYTES is one megabyte here).
    size = {"en": "1", "fa_AF": "۱"}[language]
    return escape(translated % {"size": size} if "%(size)s" in translated else translated)


def _applicant_speaking(app: Flask, language: str) -> Applicant:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language.replace("_", "-")
    applicant = Applicant(client)
    applicant.start()
    return applicant


def _nothing_stored(app: Flask) -> bool:
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        documents = db.session.scalar(select(func.count()).select_from(Document))
        folder = Path(app.config["PORTAL_BLOB_DIR"]) / str(case.id)
        db.session.remove()
    return documents == 0 and not (folder.exists() and any(folder.iterdir()))


@pytest.mark.parametrize("language", ["en", "fa_AF"])
def test_every_refused_file_is_explained_in_the_applicants_language_and_nothing_is_kept(
    make_app: AppFactory, language: str
) -> None:
    app = make_app(PORTAL_UPLOAD_MAX_BYTES=MEGABYTE)
    applicant = _applicant_speaking(app, language)
    corpus = [
        *REFUSED,
        ("one-byte-too-many", pdf_of(MEGABYTE + 1), "too_large"),
        ("hidden-javascript", _objects_hidden_by(_hex), "active_pdf"),
        ("encrypted", _written_by_pypdf(user_password="", owner_password="o"), "encrypted_pdf"),
    ]
    unexplained = []
    for name, content, reason in corpus:
        response = applicant.upload(content, f"{name}.pdf")
        if response.status_code != 400 or explanation(language, reason) not in response.text:
            unexplained.append((name, response.status_code))
    assert unexplained == []
    assert _nothing_stored(app)


def _submit(applicant: Applicant) -> None:
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    assert applicant.submit().status_code == 302


@pytest.mark.parametrize("name", ["pdf-then-zip", "png-text-bomb", "jpeg-pixel-bomb"])
def test_a_message_with_a_refused_file_is_kept_on_the_page_and_not_sent(
    make_app: AppFactory, name: str
) -> None:
    app = make_app()
    applicant = _applicant_speaking(app, "fa_AF")
    _submit(applicant)
    content, reason = next((content, reason) for n, content, reason in REFUSED if n == name)
    typed = "قرارداد کاری‌ام ضمیمه است."  # with a zero-width non-joiner, as Dari is typed
    response = applicant.post(
        "/case/messages", {"body": typed, "file": (io.BytesIO(content), "x.pdf")}
    )
    assert response.status_code == 400
    assert explanation("fa_AF", reason) in response.text
    assert escape(typed) in response.text  # what was typed is still there
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        db.session.remove()
    assert _nothing_stored(app)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("photo\u202egpj.exe", "photogpj.exe"),  # would read "photoexe.jpg"
        ("\u2067scan\u2069\u200f.jpg", "scan.jpg"),
        ("../../../etc/passwd.jpg", "passwd.jpg"),
        ("./../passport 1.jpg", "passport 1.jpg"),
        ("scan\x00.exe.jpg", "scan.exe.jpg"),
        ("tazkira\x1b[2J\x7f.jpg", "tazkira[2J.jpg"),
        ("تذکره\u200cی من.jpg", "تذکره\u200cی من.jpg"),  # a Dari name keeps its joiner
    ],
)
def test_a_file_name_is_kept_and_shown_without_controls_or_folders(
    applicant: Applicant, make_app: AppFactory, sent: str, shown: str
) -> None:
    assert applicant.upload(jpeg(), sent).status_code == 302
    page = applicant.get("/application/documents").text
    assert f"<bdi>{escape(shown)}</bdi>" in page
    assert not any(char in page for char in "\u202e\u2067\u2069\u200f\x00\x1b")
    app = make_app()
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        open_with_intake_key(db.session, document.case, actor_kind=ActorKind.SYSTEM, purpose="test")
        assert document.filename == shown
        db.session.remove()


def test_a_body_over_the_request_limit_names_the_file_limit_and_leads_back_to_its_page(
    make_app: AppFactory,
) -> None:
    """Refused before it is read, so nothing of it can be shown again; but the page says
    how large a file may be, in the applicant's language, and leads back to the form."""
    app = make_app(PORTAL_UPLOAD_MAX_BYTES=MEGABYTE, MAX_CONTENT_LENGTH=2 * MEGABYTE)
    applicant = _applicant_speaking(app, "fa_AF")
    with open("translations/fa_AF/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    limit = catalogue["The file or form is too large. A file can be at most %(size)s MB."]
    back = str(catalogue["Back"].string)

    response = applicant.upload(pdf_of(3 * MEGABYTE), "scan.pdf")

    assert response.status_code == 413
    assert escape(str(limit.string) % {"size": "۱"}) in response.text
    assert f'<a href="/application/documents">{back}</a>' in response.text
    # As nginx sends a body over its own limit: the same page, back to the page it names.
    for page, link in [("/application/documents", True), ("https://evil.example/", False)]:
        refused = applicant.get(f"/too-large?page={page}")
        assert refused.status_code == 413
        assert (f'<a href="{page}">' in refused.text) is link
