"""Checking uploaded files by their content, and making images safe to keep.

Only JPEG, PNG and PDF are accepted, recognised by their bytes, never by their name.
Images are decoded and re-encoded, which drops every piece of metadata (a phone photo's
GPS position above all) and anything hidden after the image data. PDFs that can run
code or launch actions are refused.
"""

import io
import re
import zlib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
MAX_PIXELS = 40_000_000  # far above any phone camera, far below a decompression bomb
# PDF features that run code or act on their own when a caseworker opens the file.
ACTIVE_PDF = re.compile(
    rb"/(JavaScript|JS|OpenAction|AA|Launch|RichMedia|EmbeddedFiles?|XFA|SubmitForm|ImportData)\b"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


class UploadRejected(Exception):
    """The file cannot be accepted; ``reason`` is a code the page turns into words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str


def sniff(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.lstrip()[:5] == b"%PDF-":
        return PDF
    return None


def _clean_image(content: bytes, content_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UploadRejected("too_many_pixels")
            image.load()
            pixels = image.convert("RGB" if content_type == JPEG else "RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise UploadRejected("damaged") from None
    output = io.BytesIO()
    # A fresh file from the pixels alone: no EXIF, no GPS, no comments, no trailing data.
    if content_type == JPEG:
        pixels.save(output, format="JPEG", quality=85, optimize=True)
    else:
        pixels.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _active_pdf(content: bytes) -> bool:
    """Look for active features in the file and inside its compressed streams.

    Names may be disguised with #xx escapes (/J#61vaScript), so they are decoded first.
    """
    parts = [content]
    for stream in _PDF_STREAM.findall(content):
        try:
            parts.append(zlib.decompress(stream.strip(b"\r\n")))
        except zlib.error:
            continue  # not Flate-compressed: already scanned as part of the file
    return any(
        ACTIVE_PDF.search(_PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), part))
        for part in parts
    )


def check_upload(content: bytes, *, max_bytes: int) -> CleanFile:
    if len(content) > max_bytes:
        raise UploadRejected("too_large")
    if not content:
        raise UploadRejected("empty")
    content_type = sniff(content)
    if content_type is None:
        raise UploadRejected("wrong_type")
    if content_type == PDF:
        if _active_pdf(content):
            raise UploadRejected("active_pdf")
        return CleanFile(content, PDF)
    return CleanFile(_clean_image(content, content_type), content_type)
