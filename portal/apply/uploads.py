"""Checking uploaded files by their content, and making images safe to keep.

Only JPEG, PNG and PDF are accepted, recognised by their bytes, never by their name.
Images are decoded and re-encoded, which drops every piece of metadata (a phone photo's
GPS position above all) and anything hidden after the image data; a file the decoder
cannot read is refused, whatever it throws. PDFs are kept as they came, so they must be
PDFs through and through: a header, a trailer that ends the file, nothing attached after
it (an archive behind a PDF opens as that archive elsewhere), not encrypted, and nothing
that can run code or launch actions: its bytes are scanned, Flate streams inflated, and
then every object is read as a PDF reader reads it (pypdf), object streams decoded
whatever their filters.

A file is read from its stream piece by piece, never whole: a PDF is scanned as it is read
and kept in the upload's own spooled file; an image is decoded from that file (its pixels
are held, bounded by ``MAX_PIXELS``, not its bytes).
"""

import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
log = logging.getLogger(__name__)
MAX_PIXELS = 40_000_000  # far above any phone camera, far below a decompression bomb
# What Pillow raises for a file it cannot decode (the set its own fuzzing expects): each
# is a damaged or hostile file, never a server error. Anything else is a bug to hear of.
DECODER_ERRORS = (
    OSError,  # truncated data, decoder errors; UnidentifiedImageError is one
    SyntaxError,  # malformed chunks and markers
    ValueError,  # "Decompressed data too large" from a PNG text chunk, bad parameters
    EOFError,
    struct.error,
    NotImplementedError,  # a feature of the format Pillow does not decode (not a stub here)
    OverflowError,
)
# The EXIF orientation a phone camera records, and the turn that makes the picture upright.
EXIF_ORIENTATION = 0x0112
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Images whose size alone is an attack; the warning is raised where warnings are errors.
PIXEL_BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)

PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
# Whitespace as PDF counts it (NUL included): what may follow the final %%EOF.
_PDF_BLANK = rb"[\x00\t\n\f\r ]"
# Every PDF ends with the offset of its cross-reference section, then %%EOF.
PDF_TRAILER_END = re.compile(rb"startxref" + _PDF_BLANK + rb"+([0-9]+)" + _PDF_BLANK + rb"+%%EOF")
PDF_BLANK_TO_END = re.compile(_PDF_BLANK + rb"*\Z")
# A ZIP (and so an Office file, a JAR or an APK) is found from the record that ends it,
# within its last 64 KiB and 22 bytes: that record behind a PDF makes it a ZIP as well.
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_TAIL_BYTES = 0xFFFF + 22
# PDF features that run code or act on their own when a caseworker opens the file.
ACTIVE_NAMES = (
    "JavaScript",
    "JS",
    "OpenAction",
    "AA",
    "Launch",
    "RichMedia",
    "EmbeddedFile",
    "EmbeddedFiles",
    "XFA",
    "SubmitForm",
    "ImportData",
)
ACTIVE_PDF = re.compile(rb"/(" + b"|".join(name.encode() for name in ACTIVE_NAMES) + rb")\b")
# More objects than any scan or form has: reading each would cost seconds.
MAX_PDF_OBJECTS = 100_000
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb"stream\r?\n")
_STREAM_END = b"endstream"
READ_BYTES = 64 * 1024
# All the streams of one PDF may inflate to this much for the scan, about half a second's
# work: a scanned page is JPEG data, not inflated, and 20 pages of 300 dpi greyscale
# stored with Flate come to 175 MiB. A Flate bomb inflates a thousandfold: a 10 MiB file
# would be 10 GiB and half a minute of one process's time.
MAX_INFLATED_BYTES = 256 * 1024 * 1024
# Longer than any active name written wholly in #xx escapes, with the character after it.
_NAME_OVERLAP = 64


class UploadRejected(Exception):
    """The file cannot be accepted; ``reason`` is a code the page turns into words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanFile:
    """A checked file: ``source`` reads its ``size`` bytes from the start, once."""

    source: IO[bytes]
    content_type: str
    size: int


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (for a PDF, its first non-blank ones)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if PDF_HEADER.match(head.lstrip()):
        return PDF
    return None


HEAD_BYTES = 8  # as long as the PNG signature and a PDF header ("%PDF-1.7")


def _read_up_to(source: IO[bytes], size: int) -> bytes:
    """``size`` bytes, or as many as are left (a read may return fewer than asked)."""
    data = b""
    while len(data) < size and (more := source.read(size - len(data))):
        data += more
    return data


def _head(source: IO[bytes]) -> bytes:
    """Enough of a file's start to sniff it. Blank bytes before a PDF's ``%PDF-`` are
    skipped as they are read, however many there are, rather than kept."""
    head = _read_up_to(source, HEAD_BYTES)
    if not head[:1].isspace():
        return head
    rest = head.lstrip()
    while len(rest) < HEAD_BYTES and (more := source.read(READ_BYTES)):
        rest = (rest + more).lstrip()
    return b" " + rest


def _decode(source: IO[bytes], content_type: str) -> Image.Image:
    """The pixels of an image, upright: re-encoding drops the EXIF orientation a phone
    camera records instead of turning the picture, so the turn is made here."""
    # Only the decoder of the type the bytes claim: no other of Pillow's plugins is tried.
    with Image.open(source, formats=[PILLOW_FORMATS[content_type]]) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise UploadRejected("too_many_pixels")
        image.load()
        # The turn alone, read from the orientation tag: ImageOps.exif_transpose also writes
        # the EXIF block anew, which a damaged tag (an ASCII tag typed as bytes) makes raise
        # TypeError; the block is dropped with the re-encoding anyway.
        turn = UPRIGHT.get(image.getexif().get(EXIF_ORIENTATION, 1))
        upright = image.transpose(turn) if turn is not None else image
        mode = "RGB" if content_type == JPEG else "RGBA"
        # No copy of the pixels that is not needed: at the pixel limit each is 160 MiB,
        # and every web process may be decoding one.
        return upright if upright.mode == mode else upright.convert(mode)


def _clean_image(source: IO[bytes], content_type: str) -> CleanFile:
    try:
        pixels = _decode(source, content_type)
    except PIXEL_BOMBS:
        raise UploadRejected("too_many_pixels") from None
    except DECODER_ERRORS:
        raise UploadRejected("damaged") from None
    # Kept in memory, not spooled to disk: it is plaintext, and no larger than the pixels.
    output = io.BytesIO()
    # A fresh file from the pixels alone: no EXIF, no GPS, no comments, no trailing data.
    if content_type == JPEG:
        pixels.save(output, format="JPEG", quality=85, optimize=True)
    else:
        # zlib's default effort: optimize (its highest) took seconds of a process for
        # a few percent on a large picture, which anybody could send again and again.
        pixels.save(output, format="PNG")
    size = output.tell()
    output.seek(0)
    return CleanFile(output, content_type, size)


def _unescape(match: re.Match[bytes]) -> bytes:
    return bytes([int(match[1], 16)])


class _Names:
    """Finds an active name in bytes that arrive piece by piece.

    Names may be disguised with #xx escapes (/J#61vaScript), so each piece is decoded
    first, together with the end of the one before, so a name cut in two is still seen.
    """

    def __init__(self) -> None:
        self._tail = b""

    def found_in(self, piece: bytes, *, last: bool = False) -> bool:
        window = self._tail + piece
        decoded = _PDF_NAME_ESCAPE.sub(_unescape, window)
        self._tail = window[-_NAME_OVERLAP:]
        # A name that ends the window may go on in the next piece (/JS, then ON): it is
        # judged again then, from the tail, unless nothing follows.
        return any(last or m.end() < len(decoded) for m in ACTIVE_PDF.finditer(decoded))


class _Budget:
    """How many more inflated bytes the scan of one PDF may read."""

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise UploadRejected("damaged")


class _Inflater:
    """One PDF stream's content, inflated as it arrives if it is Flate-compressed, with the
    inflated bytes scanned for active names; a decompression bomb never sits in memory,
    and inflates no further than the budget of its file."""

    def __init__(self, budget: _Budget) -> None:
        self._budget = budget
        self._zlib = zlib.decompressobj()
        self._names = _Names()
        self._started = False
        self._failed = False

    def found_in(self, data: bytes, *, last: bool = False) -> bool:
        if not self._started:
            data = data.lstrip(b"\r\n")
            self._started = bool(data)
        # Past the end of the compressed data, zlib would keep what follows: not read on.
        while data and not self._failed and not self._zlib.eof:
            try:
                inflated = self._zlib.decompress(data, READ_BYTES)
            except zlib.error:
                self._failed = True  # not Flate-compressed: already scanned as part of the file
                break
            self._budget.spend(len(inflated))
            if self._names.found_in(inflated):
                return True
            data = self._zlib.unconsumed_tail
        return last and not self._failed and self._names.found_in(b"", last=True)


class _PdfScan:
    """Looks for active features in a PDF and inside its compressed streams, as it is read."""

    def __init__(self) -> None:
        self._names = _Names()
        self._budget = _Budget(MAX_INFLATED_BYTES)
        self._stream: _Inflater | None = None
        self._pending = b""  # may be the start of a "stream" or "endstream" keyword

    def found_in(self, piece: bytes, *, last: bool = False) -> bool:
        if self._names.found_in(piece, last=last):
            return True
        data, self._pending = self._pending + piece, b""
        while True:
            if self._stream is None:
                start = _STREAM_START.search(data)
                if start is None:
                    if not last:
                        self._pending = data[-len(b"stream\r") :]
                    return False
                self._stream, data = _Inflater(self._budget), data[start.end() :]
                continue
            end = data.find(_STREAM_END)
            if end == -1:
                if not last:
                    keep = len(_STREAM_END) - 1
                    data, self._pending = data[:-keep], data[-keep:]
                return self._stream.found_in(data, last=last)
            if self._stream.found_in(data[:end], last=True):
                return True
            self._stream, data = None, data[end + len(_STREAM_END) :]


def _active_pdf(source: IO[bytes]) -> bool:
    scan = _PdfScan()
    while piece := source.read(READ_BYTES):
        if scan.found_in(piece):
            return True
    return scan.found_in(b"", last=True)


def _objects_problem(source: IO[bytes]) -> str | None:
    """What the PDF's object streams hold, read as a PDF reader reads them (pypdf),
    whatever filters and predictors hide them from the byte scan (_active_pdf), which
    inflates Flate streams only: ``active_pdf`` for an active name among any of their
    objects' keys or names, ``encrypted_pdf`` for an encrypted file (its streams are
    ciphertext to the scan), ``damaged`` for one pypdf cannot read. Objects outside object
    streams are bytes of the file, which the scan has read; their streams (a scan's
    images) are never loaded here, so the memory stays that of the object streams."""
    try:
        reader = PdfReader(_WholeReads(source), strict=False)
        if reader.is_encrypted:
            return "encrypted_pdf"
        numbers = list(reader.xref_objStm)
        if len(numbers) > MAX_PDF_OBJECTS:
            return "damaged"
        for number in numbers:
            if _acts(reader.get_object(number)):
                return "active_pdf"
    except Exception as failure:  # noqa: BLE001 - a hostile file may break the parser anyhow
        # A file it cannot read is refused, not kept unchecked; the kind is logged.
        log.warning("upload: a PDF could not be read (%s)", type(failure).__name__)
        return "damaged"
    return None


class _WholeReads(io.BufferedReader):
    """``source`` read as a file on disk is: a read returns all it was asked for up to the
    end, which pypdf expects and a stream (a socket, a test's) need not do."""

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__(_Raw(source))


class _Raw(io.RawIOBase):
    def __init__(self, source: IO[bytes]) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._source.seek(offset, whence)

    def tell(self) -> int:
        return self._source.tell()


def _acts(value: object) -> bool:
    """An active name among the keys or names of ``value`` and the containers in it (an
    indirect reference is another object: judged on its own)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, NameObject) and item[1:] in ACTIVE_NAMES:
            return True
        if isinstance(item, DictionaryObject):
            if any(key[1:] in ACTIVE_NAMES for key in item):
                return True
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return False


def _pdf_end_problem(source: IO[bytes], size: int) -> str | None:
    """What is wrong with the end of a PDF, read from its last bytes only: ``damaged``
    (cut short, or no trailer), ``appended_data`` (something after the PDF), or None."""
    source.seek(max(0, size - ZIP_TAIL_BYTES))
    tail = _read_up_to(source, ZIP_TAIL_BYTES)
    if ZIP_END_RECORD in tail:
        return "appended_data"
    end = tail.rfind(b"%%EOF")
    if end == -1:
        return "damaged"
    if not PDF_BLANK_TO_END.match(tail, end + len(b"%%EOF")):
        return "appended_data"
    trailers = list(PDF_TRAILER_END.finditer(tail))
    last = trailers[-1] if trailers else None
    if last is None or last.end() != end + len(b"%%EOF") or int(last[1]) >= size:
        return "damaged"
    return None


def check_upload(source: IO[bytes], *, max_bytes: int) -> CleanFile:
    """Check an upload read from ``source`` (seekable, as werkzeug's spooled upload is,
    and read from its start) and return what may be stored: a PDF as it came, an image
    re-encoded."""
    size = source.seek(0, io.SEEK_END)
    if size > max_bytes:
        raise UploadRejected("too_large")
    if not size:
        raise UploadRejected("empty")
    source.seek(0)
    content_type = sniff(_head(source))
    if content_type is None:
        raise UploadRejected("wrong_type")
    source.seek(0)
    if content_type == PDF:
        if _active_pdf(source):
            raise UploadRejected("active_pdf")
        if problem := _pdf_end_problem(source, size):
            raise UploadRejected(problem)
        source.seek(0)
        if problem := _objects_problem(source):
            raise UploadRejected(problem)
        source.seek(0)
        return CleanFile(source, PDF, size)
    return _clean_image(source, content_type)
