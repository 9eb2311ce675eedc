"""Numeric targets: one row per phrasing, with the record fields that matter."""

from __future__ import annotations

import pytest

from analyzer.extract import TargetExtractor
from analyzer.model import BlockKind, Clause


@pytest.fixture(scope="module")
def extractor() -> TargetExtractor:
    return TargetExtractor()


def _clause(text: str, heading: str | None = None, path: list[str] | None = None) -> Clause:
    kind = BlockKind.TABLE_ROW if " | " in text else BlockKind.PARAGRAPH
    return Clause(id="c1", text=text, start=0, end=len(text), heading=heading, heading_path=path or [], kind=kind)


def _targets(extractor: TargetExtractor, text: str, heading: str | None = None, path: list[str] | None = None):
    clause = _clause(text, heading, path)
    targets = extractor.extract([clause])
    for t in targets:
        assert text[t.start:t.end] == t.text  # exact spans
    return targets


# (text, metric, comparator, value, unit, extra fields)
POSITIVE = [
    ("Critical vulnerabilities are patched no more than 48 hours after a fix is published.", "resolution_time", "<=",
     48, "hours", {}),
    ("A party that does not want the term to renew shall give at least sixty (60) days prior written notice of "
     "non-renewal.", "notice_period", ">=", 60, "days", {}),
    ("The Licensee may end the renewal term upon three months' written notice.", "notice_period", "==", 3, "months",
     {}),
    ("The Agency shall complete each translation request within 5 business days of receipt.", "resolution_time", "<=",
     5, "business_days", {}),
    ("Any unused prepayment shall be returned to the Client within thirty (30) days after expiry.", "payment_period",
     "<=", 30, "days", {}),
    ("Each invoice is payable within thirty (30)          days of receipt.", "payment_period", "<=", 30, "days", {}),
    ("Response: less than two South African working hours.", "response_time", "<", 2, "hours",
     {"business_hours": True}),
    ("Workaround: no later than one UK workday after the report.", "resolution_time", "<=", 1, "business_days", {}),
    ("The Provider shall fix the defect no more than a week after the root cause is found.", "resolution_time",
     "<=", 1, "weeks", {}),
    ("We answer emails within an hour.", "response_time", "<=", 1, "hours", {"channel": "email"}),
    ("The Customer may terminate after 30 consecutive days of suspension by giving notice.", "notice_period", "==", 30,
     "days", {}),
    ("The Supplier shall maintain records of all calls for six (6) years.", "retention_period", "==", 6, "years",
     {}),
    ("The Provider's total liability is limited to the fees paid in the twelve (12) months prior to the incident.",
     "liability_cap", "<=", 12, "months", {}),
    ("For each outage the Customer receives a credit of two (2) days of service.", "service_credit", "==", 2, "days",
     {}),
    ("During a P1 incident the Supplier shall send status updates every 2 hours.", "review_frequency", "==", 2,
     "hours", {}),
    ("The Vendor's reliability reports shall show the Platform available 99.5% of each month.", "availability",
     ">=", 99.5, "percent", {}),
    ("The Supplier shall respond to all tickets within 24 hours.", "response_time", "<=", 24, "hours", {}),
    ("Invoices are payable no later than thirty (30) days after receipt.", "payment_period", "<=", 30, "days", {}),
    ("The Supplier shall acknowledge each request within one (1) Business Day.", "response_time", "<=", 1,
     "business_days", {"business_hours": True}),
    ("The Supplier shall answer 80% of calls within 20 seconds.", "service_level", ">=", 20, "seconds",
     {"share": 0.8, "channel": "phone"}),
    ("The contact centre shall achieve an 80/20 service level.", "service_level", ">=", 20, "seconds",
     {"share": 0.8}),
    ("All calls shall be answered within three rings.", "response_time", "<=", 3, "rings", {"channel": "phone"}),
    ("The Service will have 99.9% monthly uptime.", "availability", ">=", 99.9, "percent", {"period": "monthly"}),
    ("Availability shall be not less than 95%.", "availability", ">=", 95, "percent", {}),
    ("No more than 5% of calls may be abandoned in any calendar month.", "abandonment_rate", "<=", 5, "percent",
     {"channel": "phone"}),
    ("Agents shall maintain an average handle time of 6 minutes.", "average_handle_time", "<=", 6, "minutes", {}),
    ("The Supplier shall maintain a CSAT of 4.5 out of 5.", "customer_satisfaction", ">=", 4.5, "score", {}),
    ("P1: response 15 minutes, resolution 4 hours.", "response_time", "<=", 15, "minutes", {"priority": "P1"}),
    ("Severity 1 incidents shall be resolved within 4 hours.", "resolution_time", "<=", 4, "hours",
     {"priority": "Severity 1"}),
    ("Credits are capped at 30% of the monthly fee.", "credit_cap", "<=", 30, "percent", {}),
    ("The Customer shall receive a service credit of 5% of the monthly fees.", "service_credit", "==", 5, "percent",
     {}),
    ("Payment terms are net 30.", "payment_period", "==", 30, "days", {}),
    ("This Agreement has an initial term of 12 months.", "term_length", "==", 12, "months", {}),
    ("The Processor shall notify the Controller of a personal data breach within 72 hours.",
     "breach_notification", "<=", 72, "hours", {}),
    ("The defaulting party shall cure the breach within 10 days of notice.", "cure_period", "<=", 10, "days", {}),
    ("Either party may terminate on ninety (90) days' prior written notice.", "notice_period", "==", 90, "days", {}),
    ("Emails will be answered within [Number] minutes.", "response_time", "<=", None, "minutes",
     {"channel": "email"}),
    ("The Provider shall resolve faults within _____ days.", "resolution_time", "<=", None, "days", {}),
    ("The Supplier shall maintain a minimum average response time of 5 minutes.", "response_time", ">=", 5,
     "minutes", {}),
    ("Chats shall be answered within 60 seconds.", "response_time", "<=", 60, "seconds", {"channel": "chat"}),
    ("Social media posts shall receive a reply within 2 hours.", "response_time", "<=", 2, "hours",
     {"channel": "social"}),
    ("Twenty-four hours after a request, the Supplier shall restore the service.", "resolution_time", "<=", 24,
     "hours", {}),
    ("The Supplier shall retain call recordings for a period of ninety days.", "retention_period", "==", 90, "days",
     {}),
    ("The parties shall hold a service review meeting every 3 months.", "review_frequency", "==", 3, "months", {}),
    ("The first contact resolution rate shall be at least 75%, measured quarterly.", "first_contact_resolution",
     ">=", 75, "percent", {"period": "quarterly"}),
    ("Priority 2 tickets receive a 1-business-day email response.", "response_time", "<=", 1, "business_days",
     {"channel": "email", "business_hours": True}),
    ("Supplier shall respond by the next business day.", "response_time", "<=", 1, "business_days", {}),
    ("The Provider's aggregate liability shall not exceed $250,000.", "liability_cap", "<=", 250000, "currency", {}),
    ("Faults shall be fixed in less than one workday.", "resolution_time", "<", 1, "business_days", {}),
    ("Supplier shall deliver the report within [***] days of receipt.", "notice_period", "<=", None, "days", {}),
    ("Liability is limited to the fees paid in the twelve months before the claim.", "liability_cap", "<=", 12,
     "months", {}),
]


def test_extract_targets_each_number_keeps_its_own_metric(extractor):
    text = "The Supplier shall respond to incidents within 30 minutes and resolve them within 8 hours."
    assert [(t.metric, t.value) for t in _targets(extractor, text)] == [("response_time", 30), ("resolution_time", 8)]


@pytest.mark.parametrize(("text", "metric", "comparator", "value", "unit", "extra"), POSITIVE,
                         ids=[row[0][:40] for row in POSITIVE])
def test_extract_targets_phrasings(extractor, text, metric, comparator, value, unit, extra):
    targets = _targets(extractor, text)
    assert targets, f"no target found in {text!r}"
    t = targets[0]
    assert (t.metric, t.comparator, t.value, t.unit) == (metric, comparator, value, unit)
    for field, expected in extra.items():
        assert getattr(t, field) == expected, field


def test_extract_targets_table_row_takes_priority_from_heading_path(extractor):
    targets = _targets(extractor, "Critical | 30 minutes | 4 hours",
                       path=["Support", "Priority | Response Time | Resolution Time"])
    assert [t.value for t in targets] == [30, 4]
    assert all(t.priority and t.priority.lower() == "critical" for t in targets)


def test_extract_targets_header_without_a_row_label_column(extractor):
    """A header one cell short of its rows: the first cell of each row is the row's label."""
    targets = _targets(extractor, "Credit Tier 1 | 99.00% - 99.89% | 5% of monthly fees",
                       path=["Service Credits", "Monthly Uptime Percentage | Service Credit"])
    assert [(t.metric, t.value) for t in targets] == [("service_credit", 5)]


def test_extract_targets_row_number_before_next_business_day_is_not_a_count_of_days(extractor):
    targets = _targets(extractor, "3 | Next business day | Next business day",
                       path=["Severity | Time to respond | Time to escalate"])
    assert [(t.value, t.unit) for t in targets] == [(1, "business_days"), (1, "business_days")]


def test_extract_targets_business_clock_from_heading_not_from_outside_hours(extractor):
    table = _targets(extractor, "P1 | 30 minutes", path=["Support during Business Hours", "Priority | Response time"])
    assert [t.business_hours for t in table] == [True]
    outside = _targets(extractor, "For an outage outside normal business hours the Supplier shall respond in 2 hours.")
    assert [t.business_hours for t in outside] == [False]


def test_extract_targets_a_heading_about_liabilities_makes_no_liability_cap(extractor):
    found = _targets(extractor, "P2 | 15 minutes", path=["Annex 2: Services and Liabilities", "Priority | Alert"])
    assert [t.metric for t in found if t.value == 15] != ["liability_cap"]


def test_extract_targets_a_sentence_continues_over_a_line_break_before_lowercase(extractor):
    found = _targets(extractor, "Issues receive a response within 8 hours (except\n\nweekends and public holidays).")
    assert [(t.value, t.business_hours) for t in found] == [(8, True)]


def test_extract_targets_a_heading_is_read_for_cue_words_not_for_the_words_around_a_number(extractor):
    found = _targets(extractor, "The Vendor shall support the system for an additional three years.",
                     heading="Extension of Service Agreement")
    assert [(t.metric, t.value) for t in found] == [("term_length", 3)]


def test_extract_targets_a_cell_takes_its_own_column_not_its_neighbours(extractor):
    path = ["Support", "Severity | Time to respond | Time to escalate | Comments"]
    found = _targets(extractor, "1 | 15 minutes | 1 hour", path=path)  # the empty Comments cell was dropped
    assert [(t.metric, t.value) for t in found] == [("response_time", 15), ("unknown", 1)]


def test_extract_targets_range_gives_no_tier_bounds(extractor):
    targets = _targets(extractor, "Credit Tier 1 | 99.00% - 99.89% | 5% of monthly fees")
    assert [t.value for t in targets if t.metric == "availability"] == []


def test_extract_targets_normalized_values(extractor):
    t = _targets(extractor, "The Supplier shall respond within 2 hours.")[0]
    assert t.normalized == 7200
    t = _targets(extractor, "Uptime shall be at least 99.5% per month.")[0]
    assert t.normalized == pytest.approx(0.995)


NEGATIVE = [
    "As described in Section 4.2 and Schedule 3, the Supplier provides the Services.",
    "This Agreement is dated 12 March 2024.",
    "The parties shall comply with 42 U.S.C. 1320d and Regulation 2016/679.",
    "The price is $4,500 per seat, plus VAT.",
    "Support is available 24 hours per day, 7 days per week.",
    "Business hours are 0800 hours to 1800 hours.",
    "Notices are deemed received two days after mailing by certified mail.",
    "In the case study, complaints decreased by 30% within six months.",
    "This Agreement is made on the ____ day of ________, 2025.",
    "Rebate by SLA achieved: 100% 95% 90% 85% of the monthly fee.",
    "No action may be brought by either party more than two (2) years after the cause of action arose.",
    "Each licence costs USD 1,200 per year and shall be paid in advance.",
    "The Customer may terminate if three breaches occur during any 6 month period.",
    "Each party shall keep the other's secrets during the Term and for two (2) years thereafter.",
    "The Vendor's duties under this clause continue for a period of three years after termination of the Agreement.",
    "Those obligations last for five (5) years from the date of first disclosure.",
    "The fee is paid in instalments: 25% on signature and 75% on acceptance.",
    "For reporting purposes, Uptime = 100% - Error Rate.",
    "The Vendor runs a 24 hour help desk for the Customer's staff.",
    "Remote work is billed in 30 minute increments against the retainer.",
    "The Distributor may return any stock older than 60 days for a refund.",
    "Support is available 24 hours a day and the hotline answers once a year for audits.",
    "The account managers shall meet within ten (10) days after either party gives notice of a dispute.",
    "Under the expert determination procedure the expert shall decide within 14 days of the request.",
    "The Customer may terminate if the Target Uptime is missed in two (2) out of any three (3) consecutive months.",
]


@pytest.mark.parametrize("text", NEGATIVE, ids=[t[:40] for t in NEGATIVE])
def test_extract_targets_negatives(extractor, text):
    assert _targets(extractor, text) == []


def test_extract_targets_keeping_data_after_the_end_is_a_retention_period(extractor):
    found = _targets(extractor, "The Supplier shall retain the backups for 30 days after termination.")
    assert [(t.metric, t.value, t.unit) for t in found] == [("retention_period", 30, "days")]


def test_extract_targets_adjacent_blanks_do_not_crash(extractor):
    text = "Under the policy [attached here][found at this link] the Supplier shall respond within 5 days."
    targets = _targets(extractor, text)
    assert [t.value for t in targets] == [5]


def test_extract_targets_words_inside_words_are_not_cues(extractor):
    # "during" ends in "ring": it must not make a period a response time
    text = "Liability shall not exceed the fees paid during the six (6) months preceding the first event."
    assert [(t.metric, t.value) for t in _targets(extractor, text)] == [("liability_cap", 6)]


@pytest.mark.parametrize(("pattern", "literals"), [
    (r"\bpay", ("pay",)),
    (r"\bcredits?\b", ("credit",)),
    (r"\bresponse times?", ("response time",)),
    (r"\bpatch(ed|es)?\b", ("patch",)),
    (r"(security|data)\s+breach", ("security", "data")),
    (r"\bpay|\bfee", ("pay", "fee")),
    (r"\b(disputes?|arbitrat\w*|expert determination)\b", ("dispute", "arbitrat", "expert determination")),
    (r"(?:(?:tier|level) \d)", ("tier", "level")),
    (r"up[- ]time", None),  # "up" is too short to be worth a test
    (r"\bday{0,1}s", None),
    (r"\b(a|per)\s", None),
    (r"(abc)?def", None),  # an optional opening promises nothing
    (r"^\d{4}$", None),
])
def test_targets_opening_literals(pattern, literals):
    import re

    from analyzer.literals import may_match, opening_literals

    assert opening_literals(pattern) == literals
    if literals:  # a text without any of them cannot match; a text with one may
        assert not may_match(literals, "nothing relevant here")
        assert re.search(pattern, "zzz", re.IGNORECASE) is None


def test_targets_substring_pre_tests_change_nothing(extractor):
    """The literal pre-tests only skip regexes that cannot match: the targets are the same without them."""
    from pathlib import Path

    from analyzer.extract.targets import TargetExtractor
    from analyzer.ingest import load_document
    from analyzer.segment import segment

    samples = sorted((Path(__file__).resolve().parents[1] / "corpora" / "samples").iterdir())
    documents = [segment(load_document(p.read_bytes(), p.name)) for p in samples]
    documents.append([_clause(text) for text in (
        "Each Priority 1 incident shall be resolved within 4 hours and the Supplier shall pay a credit of 5%.",
        "Invoices are payable within thirty (30) days; security breaches are notified within 72 hours.",
        "The Kelvin sign \u212a and a long \u017f do not defeat the pre-test: respond within 2 hours.",
    )])
    plain = TargetExtractor()
    for kind in plain._cues_by_kind.values():
        kind.literals[:] = [None] * len(kind.literals)
    for rule in plain.not_targets:
        object.__setattr__(rule, "_checks", tuple((rx, i, None) for rx, i, _ in rule._checks))
    for clauses in documents:
        fast = [t.model_dump() for t in extractor.extract(clauses)]
        assert fast == [t.model_dump() for t in plain.extract(clauses)]
        assert clauses is documents[-1] or fast  # the samples do hold targets


def test_extract_targets_a_clause_number_alone_does_not_send_the_clause_to_spacy(extractor, monkeypatch):
    """Only "4.2" holds a digit: the clause skips the tokenizer. A bare integer number is not skipped,
    since "2 hours" may open a clause whose number was read as "2"."""
    calls: list[str] = []
    finder = extractor.finder
    original = finder._quantities
    monkeypatch.setattr(finder, "_quantities", lambda doc: calls.append(doc.text) or original(doc))

    numbered = Clause(id="c1", text="4.2 The Supplier shall keep the service available.", start=0, end=51,
                      number="4.2", kind=BlockKind.PARAGRAPH)
    assert extractor.extract([numbered]) == [] and calls == []
    bare = Clause(id="c2", text="2 hours is the response time the Supplier shall meet for Priority 1 incidents.",
                  start=0, end=79, number="2", kind=BlockKind.PARAGRAPH)
    [target] = extractor.extract([bare])
    assert (target.metric, target.value, target.unit) == ("response_time", 2, "hours") and len(calls) == 1


def test_extract_targets_every_quantity_pattern_holds_a_cue_word():
    """A text skips spaCy when it holds none of the cue words, so every pattern must need one: some token
    of it (not optional) accepts only values that the cue test finds."""
    from analyzer.extract.quantities import _MAY_MATCH, PATTERNS, RATIO_NORM

    def accepted(token: dict) -> list[str] | None:
        for key in ("LOWER", "ORTH"):
            value = token.get(key)
            if isinstance(value, str):
                return [value]
            if isinstance(value, dict) and "IN" in value:
                return list(value["IN"])
        if token.get("NORM") == RATIO_NORM:
            return ["80/20"]  # a ratio token is digits around a slash
        return None

    for label, patterns in PATTERNS.items():
        for pattern in patterns:
            anchors = [values for token in pattern if token.get("OP") in (None, "+", "{1,2}")
                       and (values := accepted(token)) and all(_MAY_MATCH.search(f" {v} ") for v in values)]
            assert anchors, f"a {label} pattern has no token the cue test finds: {pattern}"
    assert not _MAY_MATCH.search("without further notice under Section 4.2(b) of Exhibit B")
