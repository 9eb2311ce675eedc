"""Plain text, Markdown and HTML ingestion."""

from __future__ import annotations

import pytest

from analyzer.errors import IngestError
from analyzer.ingest import load_document
from analyzer.ingest.text import decode_text, join_wrapped
from analyzer.model import BlockKind

ACCENTED = (
    "SERVICE AGREEMENT\n\n"
    "This Agreement is made between Société Générale de Services and Acme Ltd.\n\n"
    "1.1 The monthly fee is €1,500 payable in advance (crème de la crème, à la carte, naïve façade).\n"
)


def _texts(document):
    return [b.text for b in document.blocks]


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1252", ACCENTED),
        ("latin-1", ACCENTED.replace("€", "EUR ")),
        ("utf-8", ACCENTED),
        ("utf-8-sig", ACCENTED),
        ("utf-16", ACCENTED),  # Python writes a BOM
        ("utf-16-be", None),
    ],
)
def test_text_encodings_decode_correctly(encoding, text, assert_offsets):
    if text is None:  # UTF-16 big endian with an explicit BOM
        data = b"\xfe\xff" + ACCENTED.encode("utf-16-be")
        text = ACCENTED
    else:
        data = text.encode(encoding)
    document = load_document(data, "agreement.txt")
    assert_offsets(document)
    assert document.format == "txt"
    assert "Société Générale" in document.text
    assert "crème de la crème, à la carte, naïve façade" in document.text
    if "€" in text:
        assert "€1,500" in document.text
    assert "\ufeff" not in document.text and "\ufffd" not in document.text
    assert _texts(document)[0] == "SERVICE AGREEMENT"


def test_text_decode_prefers_utf8_then_bom():
    assert decode_text("Société".encode(), "a.txt") == "Société"
    assert decode_text(b"\xef\xbb\xbfSoci\xc3\xa9t\xc3\xa9", "a.txt") == "Société"
    assert decode_text("Société".encode("utf-16"), "a.txt") == "Société"


def test_text_binary_is_refused():
    with pytest.raises(IngestError):
        decode_text(b"abc\x00\x01\x02def", "a.txt")


@pytest.mark.parametrize("page_line", ["12", "- 3 -", "Page 4 of 9", "page 7", "\u2013 5 \u2013", "iv"])
def test_text_bare_page_number_lines_are_removed(page_line, assert_offsets):
    raw = (
        "1.1 The Supplier shall provide the Services with reasonable care.\n\n"
        f"{page_line}\n\n"
        "1.2 The Customer shall pay the Fees\n"
        f"{page_line}\n"
        "within thirty days of invoice.\n"
    )
    document = load_document(raw.encode(), "a.txt")
    assert_offsets(document)
    assert _texts(document) == [
        "1.1 The Supplier shall provide the Services with reasonable care.",
        "1.2 The Customer shall pay the Fees within thirty days of invoice.",
    ]


def test_text_numbers_inside_sentences_are_kept():
    document = load_document(b"1.1 The Supplier shall respond within\n4 hours of a Priority 1 Incident.\n", "a.txt")
    assert _texts(document) == ["1.1 The Supplier shall respond within 4 hours of a Priority 1 Incident."]


@pytest.mark.parametrize(
    ("raw", "paragraphs"),
    [
        ("The Customer shall pay within\n30 days of invoice.", 1),
        ("The Supplier shall respond within\n4 Business Hours of a report.", 1),
        ("The obligations set out in clause\n2.3 of Schedule 1 survive termination.", 1),
        ("The obligations set out in Sections 1, 2 and\n3.1 survive termination.", 1),
        ("1.1 The Supplier shall keep records.\n1.2 The Customer may inspect them.", 2),
        ("1 DEFINITIONS\n1.1 Words have their ordinary meaning.\n2 Services\n2.1 The Supplier shall perform.", 4),
        ("The parties agree as follows.\n2 Services are described in Schedule 1.", 2),
        ("(a) by telephone;\n(b) by email; or\n(c) in writing.", 3),
        ("ARTICLE 4\nSection 4.1 applies.", 2),
    ],
    ids=["days", "business-hours", "clause-reference", "list-reference", "decimal", "bare-numbers",
         "bare-after-sentence", "lettered-list", "article"],
)
def test_text_numbered_line_starts_paragraph_only_when_it_opens_a_clause(raw, paragraphs):
    assert len(load_document(raw.encode(), "a.txt").blocks) == paragraphs


def test_text_wrapped_lines_join_and_numbered_lines_split(assert_offsets):
    raw = (
        "1.1 The Supplier shall keep the Service avail-\n"
        "able at all times,\n"
        "except during maintenance.\n"
        "1.2 The Customer shall report faults promptly.\n"
        "(a) by telephone; and\n"
        "(b) by email.\r\n"
    )
    document = load_document(raw.encode(), "a.txt")
    assert_offsets(document)
    assert _texts(document) == [
        "1.1 The Supplier shall keep the Service available at all times, except during maintenance.",
        "1.2 The Customer shall report faults promptly.",
        "(a) by telephone; and",
        "(b) by email.",
    ]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["availa-", "bility"], "availability"),
        (["Service-", "Level"], "Service- Level"),  # capital after the hyphen: a real compound, kept
        (["thirty", "days"], "thirty days"),
        (["  spaced  ", "  out "], "spaced out"),
    ],
)
def test_text_join_wrapped(lines, joined):
    assert join_wrapped(lines) == joined


# --------------------------------------------------------------------------- Markdown

MARKDOWN = """---
title: FRONTMATTER Service Level Agreement
version: 3
---
# Service Level Agreement

## 1. Availability

The **Supplier** shall make the *Service* available _at least_ 99.5% of each month,
<span class="note">subject to</span> planned maintenance.

Customer signature: _____________ Date: ________

- monthly availability report
* quarterly service review

1. first ordered step
2. second ordered step

| Priority | Response | Resolution |
|----------|:--------:|-----------:|
| P1 | 15 minutes | 4 hours |
| **P2** | 1 hour | 8 hours |

### 1.1 Exclusions

Outages caused by the Customer are excluded. See [the policy](https://example.com/policy) and `SLA-7`.

<!-- internal note: HIDDENCOMMENT -->

7
"""


@pytest.fixture
def markdown_document(tmp_path, load):
    path = tmp_path / "sla.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    return load(path)


def test_markdown_headings_keep_their_levels(markdown_document):
    headings = [(b.text, b.level) for b in markdown_document.blocks if b.kind == BlockKind.HEADING]
    assert headings == [("Service Level Agreement", 1), ("1. Availability", 2), ("1.1 Exclusions", 3)]


def test_markdown_front_matter_and_comments_removed(markdown_document, assert_offsets):
    assert_offsets(markdown_document)
    assert markdown_document.format == "md"
    assert "FRONTMATTER" not in markdown_document.text
    assert "version:" not in markdown_document.text
    assert "HIDDENCOMMENT" not in markdown_document.text
    assert markdown_document.blocks[0].text == "Service Level Agreement"


def test_markdown_inline_markup_removed(markdown_document):
    text = markdown_document.text
    assert (
        "The Supplier shall make the Service available at least 99.5% of each month, subject to planned maintenance."
        in text
    )
    assert "<span" not in text and "</span>" not in text
    assert "**" not in text and "*Service*" not in text and "_at least_" not in text
    assert "See the policy and SLA-7." in text


def test_markdown_fill_in_blanks_are_kept(markdown_document):
    assert "Customer signature: _____________ Date: ________" in markdown_document.text


def test_markdown_lists_become_list_items(markdown_document):
    items = [b.text for b in markdown_document.blocks if b.kind == BlockKind.LIST_ITEM]
    assert items == [
        "monthly availability report",
        "quarterly service review",
        "1. first ordered step",
        "2. second ordered step",
    ]


def test_markdown_table_rows(markdown_document):
    rows = [b.text for b in markdown_document.blocks if b.kind == BlockKind.TABLE_ROW]
    assert rows == ["Priority | Response | Resolution", "P1 | 15 minutes | 4 hours", "P2 | 1 hour | 8 hours"]


def test_markdown_bare_page_number_paragraph_dropped(markdown_document):
    assert markdown_document.blocks[-1].text.startswith("Outages caused by the Customer")


def test_markdown_sniffed_without_extension():
    document = load_document(MARKDOWN.split("---\n", 2)[2].encode(), "agreement")
    assert document.format == "md"


# --------------------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html>
<html><head><title>TITLEMARK</title>
<style>.x { color: red } /* STYLEMARK */</style>
<script>var SCRIPTMARK = 1;</script></head>
<body>
<nav>NAVMARK Home | About</nav>
<h1>Master Agreement</h1>
<h2>2. Support</h2>
<p>The Supplier shall provide <b>telephone</b> and
   <i>email</i> support during Business Hours.</p>
<ul><li>email support</li><li>phone support</li></ul>
<ol start="3"><li>third step</li><li>fourth step</li></ol>
<table>
  <tr><th>Priority</th><th>Response</th></tr>
  <tr><td>P1</td><td>15 minutes</td></tr>
</table>
<script>document.write("SCRIPTMARK2")</script>
<p>Fees are payable monthly.<!-- COMMENTMARK --></p>
</body></html>
"""


@pytest.fixture
def html_document(tmp_path, load):
    path = tmp_path / "agreement.html"
    path.write_text(HTML, encoding="utf-8")
    return load(path)


def test_html_block_structure(html_document, assert_offsets):
    assert_offsets(html_document)
    assert html_document.format == "html"
    assert [(b.kind, b.text, b.level) for b in html_document.blocks] == [
        (BlockKind.HEADING, "Master Agreement", 1),
        (BlockKind.HEADING, "2. Support", 2),
        (BlockKind.PARAGRAPH, "The Supplier shall provide telephone and email support during Business Hours.", None),
        (BlockKind.LIST_ITEM, "email support", None),
        (BlockKind.LIST_ITEM, "phone support", None),
        (BlockKind.LIST_ITEM, "3. third step", None),
        (BlockKind.LIST_ITEM, "4. fourth step", None),
        (BlockKind.TABLE_ROW, "Priority | Response", None),
        (BlockKind.TABLE_ROW, "P1 | 15 minutes", None),
        (BlockKind.PARAGRAPH, "Fees are payable monthly.", None),
    ]


@pytest.mark.parametrize("mark", ["TITLEMARK", "STYLEMARK", "SCRIPTMARK", "NAVMARK", "COMMENTMARK", "color: red"])
def test_html_non_content_dropped(html_document, mark):
    assert mark not in html_document.text


def test_html_sniffed_from_content_even_when_named_txt():
    document = load_document(HTML.encode(), "agreement.txt")
    assert document.format == "html"
    assert "SCRIPTMARK" not in document.text


def test_text_space_aligned_table_lines_become_table_rows(assert_offsets):
    raw = (
        b"4. Support response times\n\n"
        b"Priority   Response   Fix\n"
        b"P1   20 minutes   4 hours\n"
        b"P2   2 hours   two business days\n\n"
        b"The Vendor shall   keep records of every call and report them monthly.\n"
    )
    document = load_document(raw, "support.txt")
    assert_offsets(document)
    rows = [b.text for b in document.blocks if b.kind == BlockKind.TABLE_ROW]
    assert rows == ["Priority | Response | Fix", "P1 | 20 minutes | 4 hours", "P2 | 2 hours | two business days"]
    # a sentence with one wide gap stays a paragraph
    assert any(b.kind == BlockKind.PARAGRAPH and b.text.startswith("The Vendor shall keep") for b in document.blocks)


@pytest.mark.parametrize("lines", [
    ["By:   ____________   By:   ____________"],  # a signature row: no number
    ["Name   Title   Date", "Tom   Owner   Today"],  # labels alone
    ["The Supplier shall   answer calls   within 20 seconds in each month of the term of this agreement as set out"],
    ["P1   20 minutes   4 hours", "and then a line of ordinary prose that continues the paragraph above it"],
])
def test_text_paragraphs_that_are_not_aligned_tables(lines):
    from analyzer.ingest.text import aligned_table

    assert aligned_table(lines) is None


def test_text_reference_lines_repeated_on_each_page_are_removed(assert_offsets):
    letterhead = "03/01/05\n410-77 Harbour Road 555.201.3344\n"
    raw = (
        f"{letterhead}\nHosting Agreement\n\nThe host keeps the servers patched every month.\n\nREF/ACM/44120.1\n\n"
        f"{letterhead}\nThe customer pays $90 per month.\n\nREF/ACM/44120.1\n"
    )
    document = load_document(raw.encode(), "a.txt")
    assert_offsets(document)
    texts = _texts(document)
    assert not any("Harbour Road" in t or "REF/ACM" in t or t == "03/01/05" for t in texts)
    assert "The customer pays $90 per month." in texts


def test_text_a_sentence_repeated_twice_is_kept():
    raw = "The Supplier shall keep records for 2 years.\n\nNotes\n\nThe Supplier shall keep records for 2 years.\n"
    texts = _texts(load_document(raw.encode(), "a.txt"))
    assert texts.count("The Supplier shall keep records for 2 years.") == 2
