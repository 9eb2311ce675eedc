"""Segmentation: clause numbers, heading paths, run-in headings, run-together clauses, exact offsets."""

from __future__ import annotations

import pytest

from analyzer.model import BlockKind
from analyzer.numbering import (
    inline_clause_starts,
    inline_definition_starts,
    inline_item_starts,
    is_successor,
    parse_number,
)
from analyzer.segment import looks_like_heading, segment, split_run_in_heading

H = BlockKind.HEADING


def _summary(clauses):
    return [(c.number, c.heading_path) for c in clauses]


HIERARCHIES = [
    pytest.param(
        [
            "1. DEFINITIONS",
            "1.1 In this Agreement the following terms have the meanings below.",
            "1.1.1 Business Day means a day other than a weekend or public holiday.",
            "(a) a Saturday or a Sunday in the place of the Customer;",
            "(i) including any bank holiday declared by statute;",
            "(ii) including any day the Customer's offices are closed;",
            "(b) a public holiday in England.",
            "2. SERVICES",
            "2.1 The Supplier shall provide the Services.",
        ],
        [
            ("1.1", ["1. DEFINITIONS"]),
            ("1.1.1", ["1. DEFINITIONS"]),
            ("(a)", ["1. DEFINITIONS"]),
            ("(i)", ["1. DEFINITIONS"]),
            ("(ii)", ["1. DEFINITIONS"]),
            ("(b)", ["1. DEFINITIONS"]),
            ("2.1", ["2. SERVICES"]),
        ],
        id="decimal-alpha-roman",
    ),
    pytest.param(
        [
            "ARTICLE IV",
            "CONFIDENTIALITY",
            "4.1 Each party shall keep the other party's Confidential Information secret.",
            "ARTICLE V",
            "TERM",
            "5.1 This Agreement starts on the Effective Date.",
        ],
        [("4.1", ["ARTICLE IV", "CONFIDENTIALITY"]), ("5.1", ["ARTICLE V", "TERM"])],
        id="article-with-title-line",
    ),
    pytest.param(
        [
            "Article IV Confidentiality",
            "Section 5 Each party shall keep the other party's Confidential Information secret.",
            "Section 6. Term",
            "6.1 This Agreement continues for an initial term of three years.",
        ],
        [("Section 5", ["Article IV Confidentiality"]), ("6.1", ["Article IV Confidentiality", "Section 6. Term"])],
        id="article-section",
    ),
    pytest.param(
        [
            "ARTICLE I - DEFINITIONS",
            "1.1 Words defined in the Schedule have the same meaning here.",
            "ARTICLE II - SERVICES",
            "1. Scope",
            "Section 2.1 The Supplier shall provide the Services.",
        ],
        [("1.1", ["ARTICLE I - DEFINITIONS"]), ("Section 2.1", ["ARTICLE II - SERVICES", "1. Scope"])],
        id="numbered-heading-inside-article",
    ),
    pytest.param(
        [
            "SCHEDULE 2 - SERVICE LEVELS",
            "1. Availability",
            "1.1 The Service shall be available 99.9% of the time.",
            "Schedule 3",
            "Pricing",
            "1.1 The Fees are set out below and are fixed for the Term.",
        ],
        [("1.1", ["SCHEDULE 2 - SERVICE LEVELS", "1. Availability"]), ("1.1", ["Schedule 3", "Pricing"])],
        id="schedules",
    ),
    pytest.param(
        [
            "(g) item g of the list of things;",
            "(h) item h of the list of things;",
            "(i) item i after h is a letter;",
            "(j) item j of the list of things.",
        ],
        [("(g)", []), ("(h)", []), ("(i)", []), ("(j)", [])],
        id="letter-i-after-h",
    ),
    pytest.param(
        [
            "GENERAL TERMS",
            "Definitions",
            "The definitions in the Schedule apply to this Agreement.",
            "PAYMENT",
            "The Customer shall pay all invoices within thirty days of receipt.",
        ],
        [(None, ["GENERAL TERMS", "Definitions"]), (None, ["PAYMENT"])],
        id="all-caps-and-title-case-headings",
    ),
]


@pytest.mark.parametrize(("paragraphs", "expected"), HIERARCHIES)
def test_segment_numbers_and_heading_paths(make_document, assert_offsets, paragraphs, expected):
    document = make_document(paragraphs)
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert _summary(clauses) == expected


def test_segment_styled_headings_nest_by_level(make_document, assert_offsets):
    document = make_document([
        (H, "Master Services Agreement", 1),
        (H, "Part A - Services", 2),
        "1.1 The Supplier shall provide the Services.",
        (H, "Part B - Charges", 2),
        "2.1 The Customer shall pay the Charges.",
        (H, "Schedules", 1),
        "The Schedules form part of this Agreement.",
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [c.heading_path for c in clauses] == [
        ["Master Services Agreement", "Part A - Services"],
        ["Master Services Agreement", "Part B - Charges"],
        ["Schedules"],
    ]


@pytest.mark.parametrize(
    ("text", "number", "heading"),
    [
        ("4.2 Payment Terms. Customer shall pay each invoice within 30 days of receipt.", "4.2", "Payment Terms"),
        ("4.3 CONFIDENTIALITY: Each party shall keep the other's information secret.", "4.3", "CONFIDENTIALITY"),
        ("7.1 Notices - All notices shall be given in writing to the addresses above.", "7.1", "Notices"),
        ("8.1 Cooperation. The parties shall cooperate in good faith at all times.", "8.1", "Cooperation"),
        ("8.2 Standards. The Supplier shall comply with the Customer's policies.", "8.2", "Standards"),
        ("8.3 Costs. Each party shall bear its own costs of negotiating this Agreement.", "8.3", "Costs"),
        ("(a) Insurance. The Supplier shall maintain insurance with a reputable insurer.", "(a)", "Insurance"),
        ("4.4 The Supplier shall invoice monthly in arrears for the Services.", "4.4", None),
        ("4.5 Mr. Smith shall act as the Customer's representative for this Agreement.", "4.5", None),
        ("4.6 No. 10 Downing Street is the address for notices under this Agreement.", "4.6", None),
    ],
)
def test_segment_run_in_headings(make_document, assert_offsets, text, number, heading):
    document = make_document([text])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [(c.number, c.heading) for c in clauses] == [(number, heading)]
    assert clauses[0].text == text  # the run-in heading stays part of the clause text


def test_segment_run_together_clauses_are_split(make_document, assert_offsets):
    text = (
        "2.2 Cooperation. The parties shall cooperate in good faith in all matters relating to this Agreement "
        "and the performance of the parties. 2.3 Fees. Customer shall pay the fees as set out in Section 2.3 "
        "and Schedule 4. 2.4 Taxes. All fees exclude value added tax, which is payable in addition."
    )
    document = make_document([text])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [(c.number, c.heading) for c in clauses] == [("2.2", "Cooperation"), ("2.3", "Fees"), ("2.4", "Taxes")]
    assert clauses[1].text == "2.3 Fees. Customer shall pay the fees as set out in Section 2.3 and Schedule 4."
    assert clauses[0].end < clauses[1].start < clauses[2].start


@pytest.mark.parametrize(
    "text",
    [
        "2.2 Fees. Customer shall pay the fees as set out in Section 2.3 Payment Schedule, without any set-off.",
        "2.2 Fees. The obligations in clause 2.3 Fees and in Clauses 2.4 Taxes survive termination of this.",
        "2.2 Response. The Supplier shall respond to each Priority 1 Incident within 2.5 Hours of notification.",
        "2.2 Term. This Agreement lasts 3 Years from the Effective Date and renews for 1 Year at a time after.",
        "2.2 Fees. The Customer pays $ 2.3 Million per year, in equal monthly instalments, in arrears.",
        "2.2 Scope. The Services are described in the Order. 7.4 Exclusions are listed in the Schedule below.",
    ],
    ids=["section-reference", "clause-reference", "quantity", "bare-integer", "money", "not-a-successor"],
)
def test_segment_cross_references_and_quantities_are_not_split(make_document, assert_offsets, text):
    document = make_document([text])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [c.text for c in clauses] == [text]


def test_segment_offsets_exact_with_mixed_blocks(make_document, assert_offsets):
    document = make_document([
        (H, "SERVICE LEVEL AGREEMENT", 1),
        "1. Scope. This Schedule sets out the Service Levels for the Services. 2. Availability. The Service "
        "shall be available 99.9% of each month. 2.1 Measurement. Availability is measured every five minutes.",
        (BlockKind.TABLE_ROW, "Priority | Response | Resolution"),
        (BlockKind.TABLE_ROW, "P1 | 15 minutes | 4 hours"),
        (BlockKind.LIST_ITEM, "(a) reports are sent monthly;"),
        "continued text of a paragraph broken by a stray blank line",
        "and its lowercase tail after a page break",
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    numbers = [c.number for c in clauses]
    assert numbers[:3] == ["1", "2", "2.1"]
    table = next(c for c in clauses if c.kind == BlockKind.TABLE_ROW)
    assert table.heading_path[-1] == "Priority | Response | Resolution"
    # two lowercase fragments without a full stop between them are merged into one clause
    assert clauses[-1].text == (
        "continued text of a paragraph broken by a stray blank line\n\nand its lowercase tail after a page break"
    )
    assert [c.id for c in clauses] == [f"c{i}" for i in range(1, len(clauses) + 1)]


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "number", "style", "depth"),
    [
        ("1. Services", "1", "decimal", 1),
        ("1.1 The Supplier", "1.1", "decimal", 2),
        ("1.1.1 Business Day", "1.1.1", "decimal", 3),
        ("(a) a Saturday", "(a)", "alpha", 6),
        ("(i) by telephone", "(i)", "roman", 7),
        ("(iv) by post", "(iv)", "roman", 7),
        ("(A) Subject to", "(A)", "upper_alpha", 5),
        ("Article IV Confidentiality", "Article IV", "article", 0),
        ("ARTICLE 12", "ARTICLE 12", "article", 0),
        ("Section 5 Term", "Section 5", "section", 1),
        ("Section 5.2 Renewal", "Section 5.2", "section", 2),
        ("Schedule 2 Service Levels", "Schedule 2", "container", 0),
        ("Annex A - Pricing", "Annex A", "container", 0),
        ("3) Fees apply", "3", "decimal", 1),
    ],
)
def test_segment_parse_number(text, number, style, depth):
    parsed = parse_number(text)
    assert parsed is not None
    assert (parsed.text, parsed.style, parsed.depth) == (number, style, depth)
    assert text[parsed.rest_offset:].strip() == text[len(number):].lstrip(".):- \u2013").strip()


@pytest.mark.parametrize("text", ["12", "2024 was a good year", "3 months notice", "The Supplier shall", ""])
def test_segment_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


def test_segment_parse_number_i_after_h_is_a_letter():
    assert parse_number("(i) item", previous_alpha="h").style == "alpha"
    assert parse_number("(i) item", previous_alpha=None).style == "roman"


@pytest.mark.parametrize(
    ("previous", "candidate", "ok"),
    [
        ((2, 2), (2, 3), True),
        ((2, 2), (3,), True),
        ((2, 2), (2, 2, 1), True),
        ((2, 2), (3, 1), True),
        ((2, 2), (2, 4), False),
        ((2, 2), (1, 3), False),
        (None, (1,), True),
        (None, (4, 2), False),
    ],
)
def test_segment_is_successor(previous, candidate, ok):
    assert is_successor(previous, candidate) is ok


def test_segment_inline_clause_starts_offsets():
    text = "1.1 First. Alpha text here. 1.2 Second. Beta text here. 2. Third. Gamma."
    starts = inline_clause_starts(text, (1, 1))
    assert [(text[o:o + 3], key) for o, key in starts] == [("1.2", (1, 2)), ("2. ", (2,))]


def test_segment_inline_starts_in_filings_that_lost_their_line_breaks():
    text = "on request. 2.0 Fees 2.1 The Buyer pays monthly. 2.3 Late sums bear interest. see 2.5 Above."
    starts = inline_clause_starts(text, (1, 4))
    assert [key for _, key in starts] == [(2,), (2, 1), (2, 3)]  # "2.0" heads section 2; 2.2 was skipped
    assert inline_clause_starts("It ends here. 6.1 Next part.", (3, 2)) == []  # three sections on: a reference


def test_segment_exhibit_restarts_numbering_and_brand_names_start_clauses():
    from analyzer.ingest import load_document
    from analyzer.segment import segment

    text = ("1. Services\n\n1.1 The Vendor provides support.\n\n"
            "1.2 The Vendor answers calls on every business day. 1.3 eFax Systems may audit the call logs.\n\n"
            "EXHIBIT B SUPPORT TERMS These terms apply to every user of the service. 1. Users shall keep their "
            "passwords secret. 2. Users may not resell access to the service.")
    clauses = segment(load_document(text.encode(), "x.txt"))
    starts = [c.text[:14] for c in clauses]
    assert "1.3 eFax Syste" in starts
    assert "1. Users shall" in starts and "2. Users may n" in starts


def test_segment_a_short_line_before_a_table_is_its_caption():
    from analyzer.ingest import load_document
    from analyzer.segment import segment

    text = ("# Support\n\nSupport is given as follows.\n\n1(a) Cover during business hours (08.00 to 18.00)\n\n"
            "| Priority | Response |\n|---|---|\n| P1 | 30 minutes |\n\nThe Customer shall report faults promptly.\n\n"
            "| Priority | Response |\n|---|---|\n| P2 | 4 hours |\n")
    rows = [c for c in segment(load_document(text.encode(), "x.md")) if c.kind == "table_row"]
    assert rows[0].heading_path[-2:] == ["1(a) Cover during business hours (08.00 to 18.00)", "Priority | Response"]
    assert "The Customer shall report faults promptly." not in rows[1].heading_path  # a sentence is no caption


def test_segment_an_open_bracket_carries_a_table_row_into_the_next_paragraph():
    from analyzer.ingest import load_document
    from analyzer.segment import segment

    text = ("| Severity | Target |\n|---|---|\n| Two | A response within 8 hours (except |\n\n"
            "weekends and public holidays.)\n\nThe Customer shall report faults promptly.\n")
    clauses = segment(load_document(text.encode(), "x.md"))
    assert clauses[0].text.endswith("(except\n\nweekends and public holidays.)")
    assert clauses[1].text == "The Customer shall report faults promptly."


def test_segment_inline_items_continue_the_paragraph_own_item():
    text = "(b) that the work is hired; (c) to sign papers; (d) to return files. e) not to talk."
    assert [text[o:o + 3] for o in inline_item_starts(text)] == ["(c)", "(d)", "e) "]
    lone = "The Vendor agrees for three years: (a) to keep the secret of the Buyer."
    assert [lone[o:o + 3] for o in inline_item_starts(lone)] == ["(a)"]
    assert inline_item_starts("either (a) the fee or (b) the cost, whichever is lower") == []


def test_segment_inline_definitions():
    text = 'DEFINITIONS "Fee" means the price. "Hour" means sixty minutes; "Site" means the office.'
    assert [text[o:o + 6] for o in inline_definition_starts(text)] == ['"Hour"', '"Site"']
    assert inline_definition_starts('He left. "Fee" means the price.') == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DEFINITIONS AND INTERPRETATION", True),
        ("Limitation of Liability", True),
        ("Term and Termination:", True),
        ("The Supplier shall perform the Services.", False),
        ("Fees: $100 per month", False),
        ("Signed: ________", False),
        ("A Very Long Title That Goes On And On Without Ever Stopping For Breath At All", False),
    ],
)
def test_segment_looks_like_heading(text, expected):
    assert looks_like_heading(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Payment Terms. Customer shall pay within 30 days.", ("Payment Terms", 15)),
        ("Notices: All notices shall be in writing.", ("Notices", 9)),
        ("Ltd. is a company incorporated in England.", None),
        ("Fees. Short.", None),
        ("the parties agree. Customer shall pay within 30 days.", None),
    ],
)
def test_segment_split_run_in_heading(text, expected):
    assert split_run_in_heading(text) == expected


def test_segment_run_together_items_after_a_colon_are_split():
    from analyzer.numbering import inline_item_starts

    text = ("The Supplier shall, during the term: (a) keep records of every call; (b) retain them for two years; "
            "and (c) give the Customer access on request.")
    starts = inline_item_starts(text)
    assert [text[s:s + 3] for s in starts] == ["(a)", "(b)", "(c)"]
    assert inline_item_starts("The fee is either (a) fixed or (b) variable, as the parties agree.") == []


def test_segment_inline_items_may_follow_a_full_stop():
    text = ("Each report shall contain the following: (i) The caller name. (ii) Logs where available. "
            "(iii) Steps to reproduce the fault.")
    assert [text[o:o + 4] for o in inline_item_starts(text)] == ["(i) ", "(ii)", "(iii"]
    # a lone item after a full stop, or one followed by lowercase words, is not a list
    assert inline_item_starts("The fee is fixed. (a) This applies monthly.") == []


def test_segment_table_rows_without_a_commitment_are_gathered(make_document, assert_offsets):
    rows = [
        "Role | Name",
        "Account Manager | Dana Whitlock",
        "email | dana@example.test",
        "Office Phone | +1 555 0100",
        "Severity 1 | Response within 30 minutes",
        "P2 | 4 hours",
        "Escalation Contact | Lee Farrant",
        "email | lee@example.test",
    ]
    document = make_document([(BlockKind.TABLE_ROW, r) for r in rows])
    clauses = segment(document)
    assert_offsets(document, clauses)
    texts = [" / ".join(line for line in c.text.splitlines() if line) for c in clauses]
    assert texts == [
        "Account Manager | Dana Whitlock / email | dana@example.test / Office Phone | +1 555 0100",
        "Severity 1 | Response within 30 minutes",
        "P2 | 4 hours",
        "Escalation Contact | Lee Farrant / email | lee@example.test",
    ]
    assert all(c.kind == BlockKind.TABLE_ROW for c in clauses)
    assert all(c.heading_path[-1] == "Role | Name" for c in clauses)


@pytest.mark.parametrize(("row", "commitment"), [
    ("Availability | 99.9%", True),
    ("Fee | $1,200 | monthly", True),
    ("Resolution | two business days", True),
    ("Supplier shall | provide a named contact", True),
    ("Date | 25/05/2008", False),
    ("Regional Contact | Sam Ortiz", False),
    ("Help desk materials | \u2713", False),
])
def test_segment_commitment_rows(row, commitment):
    from analyzer.segment import states_commitment

    assert states_commitment(row) is commitment


def test_segment_inline_items_after_a_heading_and_nested_romans():
    text = ("Escalation Steps (a) When To Escalate (i) If no response arrives, call the desk. "
            "(ii) If the plan fails (see below.) (iii) Once agreed, the vendor works it. "
            "(b) How To Escalate (i) Write to the manager.")
    starts = [text[o:o + 5] for o in inline_item_starts(text)]
    assert starts == ["(a) W", "(i) I", "(ii) ", "(iii)", "(b) H", "(i) W"]


def test_segment_inline_items_continue_a_list_cut_by_a_page_break():
    text = "(ii) Logs are attached. (c) Response Times (i) The manager answers the same day."
    assert [text[o:o + 3] for o in inline_item_starts(text, previous_letter="b")] == ["(c)", "(i)"]
    # without the earlier item, a lone "(c)" is not a list (and "(i)" does not follow "(ii)")
    assert inline_item_starts(text) == []
    # a fresh list from (a) wins over an old one continued
    fresh = "The order states: (a) the part number; (b) the quantity; (c) the date; (d) the price."
    assert len(inline_item_starts(fresh, previous_letter="b")) == 4


def test_segment_a_numbered_clause_starts_its_own_list(make_document, assert_offsets):
    document = make_document([
        "4.4 Severity. The vendor classifies each fault: (a) critical; (b) major; (c) minor.",
        "(d) Reclassification. The vendor may lower a severity. 4.5 Escalation. The parties agree as "
        "follows: (a) the desk calls the vendor; (b) the vendor replies within one hour."
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [c.number for c in clauses] == ["4.4", "(a)", "(b)", "(c)", "(d)", "4.5", "(a)", "(b)"]


def test_segment_bullets_are_list_items_not_headings(make_document, assert_offsets):
    from analyzer.numbering import inline_bullet_starts

    assert not looks_like_heading("- Apache 2 HTTP Server")
    line = "- FreeBSD 5 Operating System - Apache 2 HTTP Server - MySQL 4 Database Server - Web Statistics"
    assert [line[o:o + 8] for o in inline_bullet_starts(line)] == ["- Apache", "- MySQL ", "- Web St"]
    assert inline_bullet_starts("- The fee - which is fixed - is due monthly.") == []
    document = make_document([
        "Server Software",
        line,
        (BlockKind.TABLE_ROW, "- | Inventory Management"),
        (BlockKind.TABLE_ROW, "- | Financial Services"),
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [c.text for c in clauses] == ["- FreeBSD 5 Operating System", "- Apache 2 HTTP Server",
                                         "- MySQL 4 Database Server", "- Web Statistics", "- | Inventory Management",
                                         "- | Financial Services"]
    assert all(c.heading_path == ["Server Software"] for c in clauses)


def test_segment_a_signature_block_is_one_clause(make_document, assert_offsets):
    from analyzer.segment import is_signature_line

    assert is_signature_line("Signature /s/ Dana Whitlock Name Dana Whitlock")
    assert is_signature_line("Date | 04/03/2024")
    assert not is_signature_line("Effective Date means the date of last signature.")
    assert not is_signature_line("Name: the Supplier shall name a manager.")
    document = make_document([
        "The Customer shall pay each invoice within thirty days.",
        "Signature /s/ Dana Whitlock Name Dana Whitlock",
        (BlockKind.TABLE_ROW, "Date | 04/03/2024"),
        "Client Signature /s/ Lee Farrant Name Lee Farrant",
        (BlockKind.TABLE_ROW, "Initials: | DW | LF"),
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert len(clauses) == 2
    assert clauses[1].text.startswith("Signature /s/ Dana") and clauses[1].text.endswith("DW | LF")


def test_segment_a_short_line_completes_a_sentence_ending_in_a_colon(make_document, assert_offsets):
    document = make_document([
        "For invoicing purposes, invoices shall be addressed to:",
        "Northwind Research LLC [***]",
        "The Services include:",
        "- Help desk support",
    ])
    clauses = segment(document)
    assert_offsets(document, clauses)
    assert [c.text.replace("\n\n", " ") for c in clauses] == [
        "For invoicing purposes, invoices shall be addressed to: Northwind Research LLC [***]",
        "The Services include:",
        "- Help desk support",
    ]


def test_segment_an_execution_block_run_into_a_paragraph_starts_a_clause(make_document, assert_offsets):
    from analyzer.segment import inline_signature_start

    text = ("Invoices go to the Finance Department, 4 Quay Street. Signature /s/ Dana Whitlock Name Dana "
            "Whitlock Title CEO Date 04/03/2024")
    assert [text[o:o + 13] for o in inline_signature_start(text)] == ["Signature /s/"]
    assert inline_signature_start("Signature /s/ Dana Whitlock Name Dana Whitlock") == []
    clauses = segment(make_document([text]))
    assert [c.text[:13] for c in clauses] == ["Invoices go t", "Signature /s/"]
