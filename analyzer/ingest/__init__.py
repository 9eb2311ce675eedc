"""Read a file of any supported format into one `Document`.

The format is decided by the bytes (magic numbers, zip contents, markup), not by
the file name. A file whose name claims another supported format is refused as
mislabeled rather than guessed at.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from analyzer.errors import IngestError, LimitExceededError, UnsupportedFormatError
from analyzer.ingest.base import Backend, DocumentBuilder
from analyzer.ingest.limits import DEFAULT_LIMITS, IngestLimits
from analyzer.model import Document

__all__ = ["EXTENSIONS", "load_document", "sniff_format"]

# File-name endings and the format they claim.
EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
_TEXT_FAMILY = {"txt", "md", "html"}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_MARKDOWN_SIGNS = re.compile(r"^(?:#{1,6}\s|\s*[-*+]\s|\s*\|.*\|\s*$)", re.MULTILINE)


def sniff_format(data: bytes, file_name: str = "") -> str:
    """Format of a document from its content; raises `UnsupportedFormatError`."""
    head = data[:8]
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            if PurePath(file_name).suffix.lower() == ".docx":
                return "docx"  # let the DOCX backend report the corruption precisely
            raise UnsupportedFormatError("corrupt zip archive") from None
        if "word/document.xml" in names:
            return "docx"
        if any(n.startswith("xl/") for n in names):
            raise UnsupportedFormatError("a spreadsheet (XLSX) is not a supported agreement format")
        if any(n.startswith("ppt/") for n in names):
            raise UnsupportedFormatError("a presentation (PPTX) is not a supported agreement format")
        raise UnsupportedFormatError("a zip archive, not a document (use `clauses audit` for archives)")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnsupportedFormatError("legacy Word .doc (OLE) format is not supported: save it as DOCX")
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormatError("RTF is not supported: save it as DOCX or PDF")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise UnsupportedFormatError("an image, not a document: scanned contracts need OCR first")
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        raise UnsupportedFormatError("a compressed archive, not a document")
    sample = data[:4096]
    utf16 = sample.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and sample.count(b"\x00") > 0:
        raise UnsupportedFormatError("binary content that is not a supported document format")
    if _HTML_START.match(sample if not utf16 else sample.decode("utf-16", "ignore").encode()):
        return "html"
    suffix = PurePath(file_name).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    if claimed in _TEXT_FAMILY:
        return claimed
    text = sample.decode("utf-8", "ignore")
    if len(_MARKDOWN_SIGNS.findall(text)) >= 3:
        return "md"
    return "txt"


def _backend(fmt: str) -> Backend:
    # Imported lazily: a text-only run never pays for loading pdfium or python-docx.
    if fmt == "pdf":
        from analyzer.ingest.pdf import PdfBackend

        return PdfBackend()
    if fmt == "docx":
        from analyzer.ingest.docx import DocxBackend

        return DocxBackend()
    if fmt == "html":
        from analyzer.ingest.html import HtmlBackend

        return HtmlBackend()
    from analyzer.ingest.text import MarkdownBackend, TextBackend

    return MarkdownBackend() if fmt == "md" else TextBackend()


def load_document(data: bytes, file_name: str, limits: IngestLimits = DEFAULT_LIMITS) -> Document:
    """Read bytes into a `Document`. Raises `IngestError` with a one-line reason."""
    if len(data) == 0:
        raise IngestError("empty file (0 bytes)")
    if len(data) > limits.max_bytes:
        raise LimitExceededError(f"file is {len(data)} bytes (limit {limits.max_bytes})")
    fmt = sniff_format(data, file_name)
    claimed = EXTENSIONS.get(PurePath(file_name).suffix.lower())
    if claimed and claimed != fmt and not (claimed in _TEXT_FAMILY and fmt in _TEXT_FAMILY):
        raise UnsupportedFormatError(f"mislabeled file: named {claimed.upper()} but the content is {fmt.upper()}")
    raw = _backend(fmt).read(data, file_name, limits)
    document = DocumentBuilder().build(raw, data, file_name, fmt)
    if not document.text.strip():
        raise IngestError("no text found in the document")
    return document
