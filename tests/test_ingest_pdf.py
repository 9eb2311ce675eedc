"""PDF ingestion: layout rebuilt from positioned text, margins dropped, bad files refused."""

from __future__ import annotations

import re

import pytest
from conftest import HEADER, LEFT_COLUMN, RIGHT_COLUMN, TABLE_ROWS, contract_paragraphs

from analyzer.errors import IngestError, LimitExceededError
from analyzer.ingest import load_document
from analyzer.ingest.limits import IngestLimits
from analyzer.model import BlockKind
from analyzer.segment import segment

FOOTERS = ["Page {n} of {total}", "{n}", "- {n} -"]


@pytest.mark.parametrize("footer", FOOTERS, ids=["page-n-of-m", "bare-number", "dashed-number"])
def test_pdf_running_header_and_page_numbers_are_dropped(make_contract_pdf, load, assert_offsets, footer):
    document = load(make_contract_pdf(footer=footer))
    clauses = segment(document)

    assert document.format == "pdf"
    assert len(document.pages) == 5
    assert_offsets(document, clauses)
    assert HEADER not in document.text
    assert "CONFIDENTIAL" not in document.text
    assert not re.search(r"Page \d+ of \d+", document.text)
    for clause in clauses:
        assert not re.search(r"(?:^|\s)-?\s?\d\s?-?$", clause.text), clause.text  # no page number glued on
    for block in document.blocks:
        assert not re.fullmatch(r"[-\s\d]+", block.text), block.text


def test_pdf_numbered_clauses_are_found_whole(make_contract_pdf, load, assert_offsets):
    document = load(make_contract_pdf())
    clauses = segment(document)
    assert_offsets(document, clauses)

    expected = {number: text for number, text in contract_paragraphs() if not number.endswith(".")}
    by_number = {c.number: c for c in clauses}
    assert set(expected) <= set(by_number)
    for number, text in expected.items():
        assert by_number[number].text == text  # whole clause, no header/footer, no lost line
    assert by_number["2.1"].heading_path == ["2. SERVICES"]
    assert by_number["5.2"].heading_path == ["5. TERMINATION"]


def test_pdf_clause_running_over_a_page_break_stays_one_clause(make_contract_pdf, load):
    import textwrap

    import pypdfium2 as pdfium

    path = make_contract_pdf()
    wrapped = textwrap.wrap(dict(contract_paragraphs())["5.1"], 86)
    pdf = pdfium.PdfDocument(str(path))
    try:
        page4, page5 = (pdf[i].get_textpage().get_text_range() for i in (3, 4))
    finally:
        pdf.close()
    assert wrapped[0] in page4 and wrapped[-1] in page5, "the generator must split clause 5.1 over pages 4-5"

    document = load(path)
    clause = next(c for c in segment(document) if c.number == "5.1")
    assert clause.text == dict(contract_paragraphs())["5.1"]  # no footer, header or page number inside
    assert clause.pages[0] == 4
    assert document.page_at(clause.start) == 4


def test_pdf_pages_cover_the_text_in_order(make_contract_pdf, load):
    document = load(make_contract_pdf())
    assert [p.number for p in document.pages] == [1, 2, 3, 4, 5]
    assert document.pages[0].start == 0
    assert document.pages[-1].end == len(document.text)
    for before, after in zip(document.pages, document.pages[1:], strict=False):
        assert before.end == after.start
    for block in document.blocks:
        assert document.page_at(block.start) == block.page


def test_pdf_hyphenated_word_is_joined(hyphenated_pdf, load, assert_offsets):
    document = load(hyphenated_pdf)
    assert_offsets(document)
    assert "availability of at least 99.9%" in document.text
    assert "availa" not in document.text.replace("availability", "")
    assert len(document.blocks) == 1
    assert document.blocks[0].text.endswith("excluding agreed maintenance windows.")


def test_pdf_two_columns_are_read_column_by_column(two_column_pdf, load, assert_offsets):
    document = load(two_column_pdf)
    assert_offsets(document)
    text = document.text
    positions = [text.find(sentence) for sentence in LEFT_COLUMN + RIGHT_COLUMN]
    assert -1 not in positions, "a sentence was broken up or interleaved with the other column"
    assert positions == sorted(positions), "left column first, then right column"
    assert text.index("JOINT OBLIGATIONS") < positions[0]
    left_words, right_words = {"continuity", "incident", "retained"}, {"premises", "manager", "Approvals"}
    for block in document.blocks:
        assert not (any(w in block.text for w in left_words) and any(w in block.text for w in right_words)), block


def test_pdf_image_only_page_is_named_in_warnings(image_page_pdf, load):
    document = load(image_page_pdf)
    assert len(document.pages) == 3
    assert [p.has_text for p in document.pages] == [True, False, True]
    assert len(document.warnings) == 1
    assert re.search(r"\bpage 2\b", document.warnings[0])
    assert "The first page" in document.text and "The third page" in document.text


def test_pdf_image_page_warning_reaches_the_report(image_page_pdf):
    from analyzer.pipeline import Analyzer

    report = Analyzer(model_dir=image_page_pdf.parent / "no-model").analyze(image_page_pdf)
    assert any(re.search(r"\bpage 2\b", w) for w in report.document.warnings)
    assert report.document.pages == 3


def test_pdf_all_image_pages_is_an_ingest_error(image_only_pdf, load):
    with pytest.raises(IngestError, match=r"(?i)no text layer|OCR"):
        load(image_only_pdf)


def test_pdf_encrypted_is_refused(encrypted_pdf, load):
    with pytest.raises(IngestError, match="encrypted"):
        load(encrypted_pdf)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda data: data[: len(data) // 3],
        lambda data: b"%PDF-1.4\n" + bytes(range(256)) * 40,
        lambda data: b"%PDF-1.7\nthis is not a pdf body at all\n%%EOF\n",
        lambda data: data[:9] + b"\x00" * (len(data) - 9),
    ],
    ids=["truncated", "binary-garbage", "text-garbage", "zeroed-body"],
)
def test_pdf_corrupt_is_an_ingest_error(make_contract_pdf, mangle):
    data = make_contract_pdf().read_bytes()
    with pytest.raises(IngestError):
        load_document(mangle(data), "broken.pdf")


def test_pdf_ruled_table_rows_become_table_row_blocks(table_pdf, load, assert_offsets):
    document = load(table_pdf)
    clauses = segment(document)
    assert_offsets(document, clauses)
    rows = [b.text for b in document.blocks if b.kind == BlockKind.TABLE_ROW]
    assert rows == [" | ".join(row) for row in TABLE_ROWS]
    kinds = [b.kind for b in document.blocks]
    assert kinds[0] == BlockKind.PARAGRAPH and kinds[-1] == BlockKind.PARAGRAPH
    # the header row heads the rows below it; data rows are clauses of their own
    table_clauses = [c for c in clauses if c.kind == BlockKind.TABLE_ROW]
    assert [c.text for c in table_clauses] == [" | ".join(row) for row in TABLE_ROWS[1:]]
    assert all(c.heading_path[-1] == "Priority | Response | Resolution" for c in table_clauses)


def test_pdf_page_limit_is_enforced(make_contract_pdf):
    data = make_contract_pdf().read_bytes()
    with pytest.raises(LimitExceededError, match="pages"):
        load_document(data, "contract.pdf", IngestLimits(max_pages=4))


def test_pdf_a_legend_printed_on_three_pages_is_dropped():
    from analyzer.ingest.base import RawBlock
    from analyzer.ingest.pdf import drop_repeated_notices
    from analyzer.model import BlockKind

    legend = "[*] Confidential portions omitted and filed separately with the regulator."
    blocks = [RawBlock(BlockKind.PARAGRAPH, f"{n}.1 The Supplier shall keep records of every call.", page=n)
              for n in (1, 2, 3)]
    blocks += [RawBlock(BlockKind.PARAGRAPH, legend, page=n) for n in (1, 2, 3)]
    blocks += [RawBlock(BlockKind.TABLE_ROW, "High priority | Central desk | within four hours", page=n)
               for n in (1, 2, 3)]
    kept = drop_repeated_notices(blocks)
    assert legend not in [b.text for b in kept]
    assert len(kept) == 6  # the clauses and the repeated table rows stay
    # on two pages only, it is kept
    assert len(drop_repeated_notices([b for b in blocks if b.page != 3])) == 6


def test_pdf_unchecked_char_box_call_reads_what_pypdfium2_reads(make_contract_pdf):
    """The fast call without ctypes argument checks returns pypdfium2's own box for every character."""
    from ctypes import byref, c_double

    import pypdfium2 as pdfium

    from analyzer.ingest.pdf import _GET_CHAR_BOX

    pdf = pdfium.PdfDocument(make_contract_pdf().read_bytes())
    try:
        textpage = pdf[0].get_textpage()
        count = textpage.count_chars()
        assert count > 300
        left, right, bottom, top = c_double(), c_double(), c_double(), c_double()
        for index in range(count):
            assert _GET_CHAR_BOX(textpage.raw, index, byref(left), byref(right), byref(bottom), byref(top))
            assert (left.value, bottom.value, right.value, top.value) == textpage.get_charbox(index)
        assert not _GET_CHAR_BOX(textpage.raw, count + 5, byref(left), byref(right), byref(bottom), byref(top))
    finally:
        pdf.close()
