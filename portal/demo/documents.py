"""Small generated files for demo cases: a scan-like PNG and a one-page PDF.

They are made here, byte by byte, so that they pass the upload checks
(``portal.apply.uploads``) as a real applicant's files would, and are stored through the
real encrypted blob store. Nothing in them is a real document.
"""

import random
import struct
import zlib

PNG, PDF = "image/png", "application/pdf"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def scan_png(rng: random.Random, width: int = 60, height: int = 40) -> bytes:
    """A small card-like image: a pale background, a photo box and lines of "text"."""
    paper = (rng.randint(215, 245), rng.randint(215, 240), rng.randint(190, 225))
    photo = (rng.randint(60, 120), rng.randint(60, 110), rng.randint(60, 100))
    ink = (40, 40, 70)
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            if 4 <= x < 20 and 6 <= y < 30:
                pixel = photo
            elif x >= 24 and y % 6 == 2 and x < width - 4 - (y * 7) % 13:
                pixel = ink
            else:
                pixel = paper
            row += bytes(pixel)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _pdf_text(text: str) -> str:
    """PDF string literal contents: Latin-1 only (the standard font's), escaped."""
    latin = text.encode("latin-1", "replace").decode("latin-1")
    return latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text, its cross-reference table exact."""
    shown = "".join(
        f"BT /F1 11 Tf 56 {760 - 18 * i} Td ({_pdf_text(line)}) Tj ET\n"
        for i, line in enumerate(lines)
    ).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(shown) + shown + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)
