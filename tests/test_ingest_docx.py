"""DOCX ingestion: body only, Word numbering rendered as Word shows it, tracked changes applied."""

from __future__ import annotations

import docx
import pytest
from conftest import NUMBERED_PARAGRAPHS, TABLE_ROWS, W_NS, add_numbering, number_paragraph
from docx.oxml import parse_xml

from analyzer.ingest.docx_numbering import format_counter
from analyzer.model import BlockKind
from analyzer.segment import segment


def test_docx_heading_styles_become_heading_blocks(numbered_docx, load):
    document = load(numbered_docx)
    headings = [(b.text, b.level) for b in document.blocks if b.kind == BlockKind.HEADING]
    assert headings == [("Master Services Agreement", 1), ("Commercial Terms", 2)]


def test_docx_automatic_numbering_is_rendered_in_order(numbered_docx, load, assert_offsets):
    document = load(numbered_docx)
    assert_offsets(document)
    items = [b for b in document.blocks if b.kind == BlockKind.LIST_ITEM]
    assert [b.number for b in items] == [shown for _, _, shown in NUMBERED_PARAGRAPHS]
    for block, (_, text, shown) in zip(items, NUMBERED_PARAGRAPHS, strict=True):
        assert block.text == f"{shown} {text}"


def test_docx_numbered_clauses_get_numbers_and_heading_path(numbered_docx, load, assert_offsets):
    document = load(numbered_docx)
    clauses = segment(document)
    assert_offsets(document, clauses)
    by_number = {}
    for clause in clauses:
        by_number.setdefault(clause.number, clause)
    assert by_number["1.1"].heading_path == ["Master Services Agreement", "Commercial Terms", "1. Services"]
    assert by_number["2.1"].heading_path == ["Master Services Agreement", "Commercial Terms", "2. Fees"]
    assert [c.number for c in clauses] == ["1.1", "1.2", "(a)", "(b)", "1.3", "(a)", "2.1", "(a)"]


def _numbered_document(items):
    """A new document with the numbering definition and one numbered paragraph per (ilvl, text[, num_id])."""
    document = docx.Document()
    num_id = add_numbering(document)
    paragraphs = []
    for ilvl, text, *rest in items:
        paragraph = document.add_paragraph(text)
        number_paragraph(paragraph, rest[0] if rest else num_id, ilvl)
        paragraphs.append(paragraph)
    return document, paragraphs


def test_docx_restart_override_starts_the_list_again(tmp_path, load):
    document, _ = _numbered_document([(0, "First list, first item"), (0, "First list, second item")])
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:num {W_NS} w:numId="91"><w:abstractNumId w:val="90"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    ))
    for text in ("Second list, first item", "Second list, second item"):
        number_paragraph(document.add_paragraph(text), 91, 0)
    path = tmp_path / "restart.docx"
    document.save(path)
    assert [b.number for b in load(path).blocks] == ["1.", "2.", "1.", "2."]


def test_docx_empty_numbered_paragraph_still_takes_a_number(tmp_path, load):
    """Word shows "2." in front of an empty list paragraph, so the next item is "3."."""
    document, _ = _numbered_document([(0, "Scope of the services"), (0, ""), (0, "Charges and invoicing")])
    path = tmp_path / "gap.docx"
    document.save(path)
    assert [b.text for b in load(path).blocks] == ["1. Scope of the services", "3. Charges and invoicing"]


def test_docx_deleted_numbered_paragraph_takes_no_number(tmp_path, load):
    document, paragraphs = _numbered_document([(0, "Scope"), (0, ""), (0, "Charges and invoicing")])
    ppr = paragraphs[1]._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:rPr {W_NS}><w:del w:id="7" w:author="R" w:date="2024-01-01T00:00:00Z"/></w:rPr>'))
    paragraphs[1]._p.append(parse_xml(
        f'<w:del {W_NS} w:id="8" w:author="R" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText>Removed item</w:delText></w:r></w:del>'
    ))
    path = tmp_path / "deleted-item.docx"
    document.save(path)
    assert [b.text for b in load(path).blocks] == ["1. Scope", "2. Charges and invoicing"]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (3, "decimal", "3"),
        (3, "lowerLetter", "c"),
        (28, "lowerLetter", "bb"),
        (4, "upperLetter", "D"),
        (4, "lowerRoman", "iv"),
        (14, "upperRoman", "XIV"),
        (7, "decimalZero", "07"),
        (2, "bullet", ""),
    ],
)
def test_docx_numbering_format_counter(value, fmt, shown):
    assert format_counter(value, fmt) == shown


def test_docx_table_is_read_row_by_row(docx_with_extras, load, assert_offsets):
    document = load(docx_with_extras)
    assert_offsets(document)
    rows = [b.text for b in document.blocks if b.kind == BlockKind.TABLE_ROW]
    assert rows == [" | ".join(row) for row in TABLE_ROWS]
    kinds = [b.kind for b in document.blocks]
    first_row = kinds.index(BlockKind.TABLE_ROW)
    assert document.blocks[first_row - 1].text.startswith("1.1 ")  # the table sits where it is in the body
    assert document.blocks[first_row + len(TABLE_ROWS)].text.startswith("1.2 ")


@pytest.mark.parametrize("mark", ["HEADERMARK", "FOOTERMARK", "COMMENTMARK", "DELETEDMARK"])
def test_docx_text_outside_the_body_is_excluded(docx_with_extras, load, mark):
    document = load(docx_with_extras)
    assert mark not in document.text
    assert "1.2 The Customer may audit the Supplier once in each contract year." in document.text


def test_docx_tracked_insertion_is_kept_and_deletion_dropped(docx_with_extras, load):
    document = load(docx_with_extras)
    assert "1.3 Liability is capped at the Fees paid in the preceding twelve months." in document.text
    assert "twice over" not in document.text


def test_docx_without_page_marks_has_no_pages(numbered_docx, load):
    document = load(numbered_docx)
    assert document.pages == []
    assert all(b.page is None for b in document.blocks)


def test_docx_tracked_move_keeps_only_the_new_place(tmp_path, load):
    document = docx.Document()
    first = document.add_paragraph("1.1 The Supplier shall report monthly.")
    first._p.append(parse_xml(
        f'<w:moveFrom {W_NS} w:id="201" w:author="R" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:t xml:space="preserve"> MOVEDMARK within five Business Days.</w:t></w:r></w:moveFrom>'
    ))
    second = document.add_paragraph("1.2 Reports are sent by email")
    second._p.append(parse_xml(
        f'<w:moveTo {W_NS} w:id="202" w:author="R" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:t xml:space="preserve"> within five Business Days.</w:t></w:r></w:moveTo>'
    ))
    path = tmp_path / "moved.docx"
    document.save(path)
    assert [b.text for b in load(path).blocks] == [
        "1.1 The Supplier shall report monthly.",
        "1.2 Reports are sent by email within five Business Days.",
    ]
