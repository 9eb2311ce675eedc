"""Format decided by content, not by name; unsupported, mislabeled and oversized inputs refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from analyzer.errors import IngestError, LimitExceededError, UnsupportedFormatError
from analyzer.ingest import load_document, sniff_format
from analyzer.ingest.limits import IngestLimits

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


def test_sniff_pdf_named_txt_is_mislabeled(make_contract_pdf):
    data = make_contract_pdf().read_bytes()
    assert sniff_format(data, "contract.txt") == "pdf"
    with pytest.raises(UnsupportedFormatError, match="mislabeled.*TXT.*PDF"):
        load_document(data, "contract.txt")


def test_sniff_docx_named_pdf_is_mislabeled(numbered_docx):
    data = numbered_docx.read_bytes()
    assert sniff_format(data, "x.pdf") == "docx"
    with pytest.raises(UnsupportedFormatError, match="mislabeled.*PDF.*DOCX"):
        load_document(data, "x.pdf")


@pytest.mark.parametrize("name", ["contract", "contract.bin", "CONTRACT.PDF"])
def test_sniff_pdf_without_a_claiming_name_loads(make_contract_pdf, name):
    document = load_document(make_contract_pdf().read_bytes(), name)
    assert document.format == "pdf"
    assert document.file_name == name


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (OLE_HEADER, "old.doc", r"\.doc.*DOCX"),
        (OLE_HEADER, "old.docx", r"\.doc.*DOCX"),
        (PNG_HEADER, "scan.png", "image"),
        (PNG_HEADER, "scan.pdf", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32, "scan.jpg", "image"),
        (b"{\\rtf1\\ansi Hello}", "letter.rtf", "RTF"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 32, "bundle.gz", "compressed"),
        (b"\x00\x01\x02\x03binary\x00", "blob.txt", "binary"),
    ],
    ids=["doc-ole", "doc-named-docx", "png", "png-named-pdf", "jpeg", "rtf", "gzip", "binary"],
)
def test_sniff_unsupported_content_is_refused_clearly(data, name, reason):
    with pytest.raises(UnsupportedFormatError, match=reason):
        load_document(data, name)


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ({"readme.txt": b"hello", "data/contract.txt": b"1.1 text"}, "zip archive, not a document"),
        ({"xl/workbook.xml": b"<workbook/>"}, "spreadsheet"),
        ({"ppt/presentation.xml": b"<presentation/>"}, "presentation"),
    ],
    ids=["plain-zip", "xlsx", "pptx"],
)
@pytest.mark.parametrize("name", ["bundle.zip", "agreement.docx"])
def test_sniff_zip_that_is_not_a_docx_is_refused(entries, reason, name):
    with pytest.raises(UnsupportedFormatError, match=reason):
        load_document(_zip(entries), name)


def test_sniff_corrupt_docx_is_an_ingest_error(numbered_docx):
    data = numbered_docx.read_bytes()
    with pytest.raises(IngestError, match="(?i)corrupt"):
        load_document(data[: len(data) // 2], "broken.docx")


def test_sniff_empty_file_is_refused():
    with pytest.raises(IngestError, match="empty"):
        load_document(b"", "empty.pdf")


@pytest.mark.parametrize("data", [b"   \n\n\t  \n", b"\xef\xbb\xbf\n\n"])
def test_sniff_whitespace_only_text_has_no_text(data):
    with pytest.raises(IngestError, match="no text"):
        load_document(data, "blank.txt")


def test_sniff_file_size_limit():
    with pytest.raises(LimitExceededError, match="limit 100"):
        load_document(b"x" * 101, "big.txt", IngestLimits(max_bytes=100))


def _docx_bomb(size: int) -> bytes:
    """A zip with word/document.xml whose single entry expands to `size` bytes of one repeated byte."""
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<" + b" " * (size - 1)})


def test_sniff_docx_expanding_beyond_the_limit_is_refused():
    data = _docx_bomb(2 * 1024 * 1024)
    assert len(data) < 10_000
    assert sniff_format(data, "bomb.docx") == "docx"
    with pytest.raises(LimitExceededError, match="expands"):
        load_document(data, "bomb.docx", IngestLimits(max_uncompressed_bytes=1024 * 1024))


def test_sniff_docx_with_a_bomb_compression_ratio_is_refused():
    data = _docx_bomb(12 * 1024 * 1024)
    with pytest.raises(LimitExceededError, match="ratio"):
        load_document(data, "bomb.docx")


def test_sniff_docx_with_too_many_entries_is_refused():
    entries = {"word/document.xml": b"<w/>"} | {f"word/media/{i}.bin": b"x" for i in range(20)}
    with pytest.raises(LimitExceededError, match="entries"):
        load_document(_zip(entries), "many.docx", IngestLimits(max_zip_entries=10))


@pytest.mark.parametrize(
    ("data", "name", "fmt"),
    [
        (b"<!DOCTYPE html><html><body><p>Hi there</p></body></html>", "page", "html"),
        (b"<!-- saved --> <html><body><p>Hi</p></body></html>", "page.txt", "html"),
        (b"# Title\n\n- one\n- two\n", "notes", "md"),
        (b"# Title\n\nplain words\n", "notes.txt", "txt"),
        (b"plain words only\n", "notes", "txt"),
        (b"plain words only\n", "notes.md", "md"),
    ],
)
def test_sniff_text_family(data, name, fmt):
    assert sniff_format(data, name) == fmt
