"""Shared fixtures: every test document is generated into tmp_path, never checked in.

PDFs are drawn with reportlab, DOCX files built with python-docx (plus raw WordprocessingML
where python-docx has no API: numbering definitions, tracked changes).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.ingest import load_document
from analyzer.ingest.base import DocumentBuilder, RawBlock, RawDocument
from analyzer.model import BlockKind, Clause, Document

# --------------------------------------------------------------------------- helpers

HEADER = "ACME SERVICES AGREEMENT - CONFIDENTIAL"

# Distinct wording per clause: a running-header detector must not mistake body lines for headers.
CONTRACT_SECTIONS: list[tuple[str, list[str]]] = [
    ("DEFINITIONS", [
        "Capitalised terms used in this Agreement have the meanings given to them in this clause unless the "
        "context requires otherwise.",
        "References to a statute include that statute as amended, extended or re-enacted from time to time "
        "after the Effective Date.",
    ]),
    ("SERVICES", [
        "The Supplier shall provide the Services to the Customer from the Commencement Date in accordance with "
        "the Service Description and the Specification.",
        "The Supplier shall ensure that all personnel engaged in delivering the Services are suitably skilled, "
        "experienced and vetted before they are given access to any Customer system or premises.",
        "The Supplier shall not subcontract any part of the Services without the prior written consent of the "
        "Customer, which shall not be unreasonably withheld or delayed.",
    ]),
    ("SERVICE LEVELS", [
        "The Supplier shall meet or exceed each Service Level measured over every calendar month of the Term "
        "and shall report its performance within ten Business Days after the end of each month.",
        "Where a Service Level is missed, the Supplier shall promptly investigate the root cause, report its "
        "findings and implement a remediation plan approved by the Customer.",
    ]),
    ("FEES AND PAYMENT", [
        "The Customer shall pay each undisputed invoice within thirty days of receiving it by bank transfer to "
        "the account nominated by the Supplier in writing.",
        "Late payments bear interest at two percent above the base rate of the central bank from the due date "
        "until the date of actual payment, whether before or after judgment.",
    ]),
    ("TERMINATION", [
        "Either party may terminate this Agreement by written notice if the other party commits a material "
        "breach which is irremediable or is not remedied within thirty days of being notified of it.",
        "On termination the Supplier shall return all Customer Data, delete any copies it holds and cooperate "
        "in good faith with any replacement supplier appointed by the Customer.",
    ]),
]


def contract_paragraphs() -> list[tuple[str, str]]:
    """(number, full text) of every heading and clause of the generated contract, in order."""
    out = []
    for s, (title, clauses) in enumerate(CONTRACT_SECTIONS, start=1):
        out.append((f"{s}.", f"{s}. {title}"))
        for k, body in enumerate(clauses, start=1):
            out.append((f"{s}.{k}", f"{s}.{k} {body}"))
    return out


def _canvas(path: Path, pagesize=None, **kwargs):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    return canvas.Canvas(str(path), pagesize=pagesize or A4, invariant=1, **kwargs)


def _png(width: int = 400, height: int = 300) -> io.BytesIO:
    """A scanned-looking picture (no text layer)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, width - 10, height - 10], outline="black", width=3)
    for y in range(40, height - 40, 20):
        draw.line([30, y, width - 30, y], fill="gray", width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    return buf


# --------------------------------------------------------------------------- generic fixtures


@pytest.fixture
def load() -> Callable[..., Document]:
    """load(path, **kw) -> Document, reading the file's bytes under its own name."""

    def _load(path: Path, **kwargs) -> Document:
        return load_document(Path(path).read_bytes(), Path(path).name, **kwargs)

    return _load


@pytest.fixture
def assert_offsets() -> Callable[[Document, list[Clause]], None]:
    """Check the one invariant of the model: text[start:end] == thing.text for blocks and clauses."""

    def _check(document: Document, clauses: list[Clause] | None = None) -> None:
        for block in document.blocks:
            assert document.text[block.start:block.end] == block.text, block
        for clause in clauses or []:
            assert document.text[clause.start:clause.end] == clause.text, clause
            assert clause.text.strip(), clause

    return _check


@pytest.fixture
def make_document() -> Callable[..., Document]:
    """make_document(items) -> Document built from (kind, text[, level]) items or plain paragraph strings."""

    def _make(items, fmt: str = "txt") -> Document:
        blocks = []
        for item in items:
            if isinstance(item, str):
                blocks.append(RawBlock(BlockKind.PARAGRAPH, item))
            else:
                kind, text, *rest = item
                blocks.append(RawBlock(kind, text, level=rest[0] if rest else None))
        return DocumentBuilder().build(RawDocument(blocks=blocks), b"generated", f"generated.{fmt}", fmt)

    return _make


# --------------------------------------------------------------------------- PDF fixtures


def build_contract_pdf(path: Path, footer: str = "Page {n} of {total}", header: str = HEADER) -> Path:
    """A 5-page numbered contract with a running header and a page-number footer on every page.

    Pages are short so that a clause runs across a page break. `footer` is formatted with
    n (page number) and total.
    """
    width, height = 595, 300
    line_height, top, lines_per_page = 14, height - 55, 10
    lines: list[tuple[str, str]] = []  # (font, text); "" text = paragraph gap
    for number, text in contract_paragraphs():
        font = "Helvetica-Bold" if number.endswith(".") else "Helvetica"
        lines.extend((font, ln) for ln in textwrap.wrap(text, 86))
        lines.append((font, ""))
    # 47 lines, 10 a page: 5 pages, and clause 5.1 runs from page 4 onto page 5.
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    c = _canvas(path, pagesize=(width, height))
    for n, page in enumerate(pages, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(60, height - 30, header)
        c.drawCentredString(width / 2, 25, footer.format(n=n, total=len(pages)))
        y = top
        for font, text in page:
            if text:
                c.setFont(font, 10)
                c.drawString(60, y, text)
            y -= line_height
        c.showPage()
    c.save()
    return path


@pytest.fixture
def make_contract_pdf(tmp_path) -> Callable[..., Path]:
    """make_contract_pdf(footer=..., name=...) -> path of a generated multi-page contract (see build_contract_pdf)."""

    def _make(footer: str = "Page {n} of {total}", name: str = "contract.pdf", header: str = HEADER) -> Path:
        return build_contract_pdf(tmp_path / name, footer, header)

    return _make


@pytest.fixture
def hyphenated_pdf(tmp_path) -> Path:
    path = tmp_path / "hyphen.pdf"
    c = _canvas(path)
    c.setFont("Helvetica", 11)
    y = 760
    for line in [
        "1.1 The Supplier shall ensure that the Service achieves an availa-",
        "bility of at least 99.9% in each calendar month, measured at the",
        "Customer's network boundary and excluding agreed maintenance windows.",
    ]:
        c.drawString(72, y, line)
        y -= 14
    c.showPage()
    c.save()
    return path


LEFT_COLUMN = [
    "The Supplier shall maintain a documented business continuity plan and test it once a year.",
    "The Supplier shall keep accurate records of every incident reported by the Customer.",
    "Incident records shall be retained for six years after the end of the Term.",
]
RIGHT_COLUMN = [
    "The Customer shall give the Supplier reasonable access to its premises during business hours.",
    "The Customer shall appoint a contract manager with authority to approve changes.",
    "Approvals shall be given in writing within ten working days of a request.",
]


@pytest.fixture
def two_column_pdf(tmp_path) -> Path:
    path = tmp_path / "columns.pdf"
    c = _canvas(path)
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(297, 790, "JOINT OBLIGATIONS OF THE PARTIES TO THIS AGREEMENT")
    c.setFont("Helvetica", 10)
    for x, sentences in ((50, LEFT_COLUMN), (315, RIGHT_COLUMN)):
        y = 750
        for line in textwrap.wrap(" ".join(sentences), 46):
            c.drawString(x, y, line)
            y -= 13
    c.showPage()
    c.save()
    return path


@pytest.fixture
def image_page_pdf(tmp_path) -> Path:
    """Three pages; page 2 is only a picture (a scanned page in an otherwise digital PDF)."""
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "mixed.pdf"
    c = _canvas(path)
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "1.1 The first page holds ordinary text that can be extracted.")
    c.showPage()
    c.drawImage(ImageReader(_png()), 72, 300, width=400, height=300)
    c.showPage()
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "1.2 The third page holds ordinary text as well.")
    c.showPage()
    c.save()
    return path


@pytest.fixture
def image_only_pdf(tmp_path) -> Path:
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "scan.pdf"
    c = _canvas(path)
    for _ in range(2):
        c.drawImage(ImageReader(_png()), 72, 300, width=400, height=300)
        c.showPage()
    c.save()
    return path


def build_encrypted_pdf(path: Path) -> Path:
    """A PDF that needs a user password to open."""
    from reportlab.lib import pdfencrypt

    c = _canvas(path, encrypt=pdfencrypt.StandardEncryption("user-secret", ownerPassword="owner-secret"))
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "1.1 This text is protected by a user password.")
    c.showPage()
    c.save()
    return path


@pytest.fixture
def encrypted_pdf(tmp_path) -> Path:
    return build_encrypted_pdf(tmp_path / "locked.pdf")


TABLE_ROWS = [
    ("Priority", "Response", "Resolution"),
    ("P1 Critical", "15 minutes", "4 hours"),
    ("P2 High", "1 hour", "8 hours"),
    ("P3 Medium", "4 hours", "3 business days"),
]


@pytest.fixture
def table_pdf(tmp_path) -> Path:
    """A ruled table (lines drawn around every cell) between two numbered clauses."""
    path = tmp_path / "table.pdf"
    c = _canvas(path)
    c.setFont("Helvetica", 11)
    c.drawString(72, 762, "3.1 The Supplier shall respond to and resolve Incidents within the times below.")
    top, row_height, xs = 740, 22, [72, 232, 372, 522]
    for r, row in enumerate(TABLE_ROWS):
        for i, cell in enumerate(row):
            c.drawString(xs[i] + 6, top - (r + 1) * row_height + 7, cell)
    for r in range(len(TABLE_ROWS) + 1):
        c.line(xs[0], top - r * row_height, xs[-1], top - r * row_height)
    for x in xs:
        c.line(x, top, x, top - len(TABLE_ROWS) * row_height)
    c.drawString(72, top - len(TABLE_ROWS) * row_height - 30,
                 "3.2 Resolution times are measured from the moment the Incident is logged.")
    c.showPage()
    c.save()
    return path


# --------------------------------------------------------------------------- DOCX fixtures

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NUMBERED_PARAGRAPHS = [  # (ilvl, text, what Word shows in front of it)
    (0, "Services", "1."),
    (1, "The Supplier shall provide the Services described in the Order Form.", "1.1"),
    (1, "The Supplier shall provide the Services with reasonable skill and care:", "1.2"),
    (2, "in accordance with Good Industry Practice;", "(a)"),
    (2, "in compliance with all Applicable Laws.", "(b)"),
    (1, "The Supplier shall appoint a service manager who shall:", "1.3"),
    (2, "attend monthly review meetings;", "(a)"),
    (0, "Fees", "2."),
    (1, "The Customer shall pay the Fees within thirty days of invoice.", "2.1"),
    (2, "by bank transfer only.", "(a)"),
]


def add_numbering(document, num_id: int = 90) -> int:
    """Add an abstractNum "%1." / "%1.%2" / "(%3)" and a num instance to the numbering part."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    levels = [("decimal", "%1."), ("decimal", "%1.%2"), ("lowerLetter", "(%3)")]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = parse_xml(
        f'<w:abstractNum {W_NS} w:abstractNumId="{num_id}"><w:multiLevelType w:val="multilevel"/>'
        f"{lvl_xml}</w:abstractNum>"
    )
    # Schema order: every abstractNum before the first num.
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))
    return num_id


def number_paragraph(paragraph, num_id: int, ilvl: int) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {W_NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


@pytest.fixture
def numbered_docx(tmp_path) -> Path:
    """Heading 1/2 styled headings, then a Word auto-numbered list (nothing typed in front of the text)."""
    import docx

    document = docx.Document()
    document.add_heading("Master Services Agreement", level=1)
    document.add_heading("Commercial Terms", level=2)
    num_id = add_numbering(document)
    for ilvl, text, _shown in NUMBERED_PARAGRAPHS:
        number_paragraph(document.add_paragraph(text), num_id, ilvl)
    path = tmp_path / "numbered.docx"
    document.save(path)
    return path


@pytest.fixture
def docx_with_extras(tmp_path) -> Path:
    """Header, footer, a comment, a table and tracked changes around ordinary body text."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "HEADERMARK Acme Confidential"
    section.footer.paragraphs[0].text = "FOOTERMARK Page 1"
    document.add_paragraph("1.1 The Supplier shall resolve Incidents within the times below.")
    table = document.add_table(rows=len(TABLE_ROWS), cols=3)
    for r, row in enumerate(TABLE_ROWS):
        for i, value in enumerate(row):
            table.cell(r, i).text = value
    commented = document.add_paragraph("1.2 The Customer may audit the Supplier once in each contract year.")
    document.add_comment(commented.runs[0], text="COMMENTMARK is once enough?", author="Reviewer", initials="R")
    tracked = document.add_paragraph("1.3 Liability is capped at the Fees paid")
    tracked._p.append(parse_xml(
        f'<w:del {W_NS} w:id="101" w:author="Reviewer" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText xml:space="preserve"> DELETEDMARK twice over</w:delText></w:r></w:del>'
    ))
    tracked._p.append(parse_xml(
        f'<w:ins {W_NS} w:id="102" w:author="Reviewer" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:t xml:space="preserve"> in the preceding twelve months.</w:t></w:r></w:ins>'
    ))
    path = tmp_path / "extras.docx"
    document.save(path)
    return path
