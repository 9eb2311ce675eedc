"""Playbook rules: each rule passes on good drafting and fails on bad drafting.

Clauses are built by hand with their labels, so these tests exercise the rules, not
the classifier. Targets come from the real extractor.
"""

from __future__ import annotations

import pytest

from analyzer.checks import load_playbook, run_playbook
from analyzer.checks.playbook import Playbook
from analyzer.extract import TargetExtractor
from analyzer.model import Clause, LabelScore


@pytest.fixture(scope="module")
def extractor() -> TargetExtractor:
    return TargetExtractor()


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook("customer-service-sla")


def _document(*clauses: tuple[str, list[str]]) -> tuple[str, list[Clause]]:
    text, built, offset = "", [], 0
    for i, (body, labels) in enumerate(clauses, start=1):
        if text:
            text += "\n\n"
            offset += 2
        built.append(Clause(id=f"c{i}", text=body, start=offset, end=offset + len(body),
                            labels=[LabelScore(label=lab, score=0.9) for lab in labels]))
        text += body
        offset += len(body)
    return text, built


def _findings(playbook: Playbook, extractor: TargetExtractor, *clauses: tuple[str, list[str]]):
    text, built = _document(*clauses)
    targets = extractor.extract(built)
    result = run_playbook(playbook, text, built, targets)
    for f in result.findings:
        if f.start is not None:
            assert f.text is None or text[f.start:f.end] == f.text
    return result


def _rules(result) -> list[str]:
    return [f.rule for f in result.findings]


# (rule, clauses that fail it, clauses that pass it)
DRAFTING = [
    ("placeholder.unfilled",
     [("The Supplier is [Provider Name] and fees are due within ____ days.", ["fees_and_payment"])],
     [("The Supplier is Harbor Ltd and fees are due within 30 days.", ["fees_and_payment"])]),
    ("vague.standard",
     [("The Supplier shall respond to complaints promptly.", ["service_levels"])],
     [("The Supplier shall respond to complaints within 2 hours.", ["service_levels"])]),
    ("metric.no_target",
     [("The Supplier shall track first contact resolution for every call.", ["service_levels"])],
     [("The first contact resolution rate shall be at least 70% each month.", ["service_levels"])]),
    ("metric.inverted_bound",
     [("The Supplier shall maintain a minimum average response time of 5 minutes.", ["service_levels"])],
     [("The Supplier shall maintain an average response time of no more than 5 minutes.", ["service_levels"])]),
    ("metric.no_period",
     [("Availability shall be at least 99.5%.", ["service_levels"])],
     [("Availability shall be at least 99.5% in each calendar month.", ["service_levels"])]),
    ("metric.unrealistic",
     [("Availability shall be at least 100% in each month.", ["service_levels"])],
     [("Availability shall be at least 99.9% in each month.", ["service_levels"])]),
    ("remedies.uncapped",
     [("For each missed target the Customer receives a credit of 5% of the monthly fee.",
       ["service_credits_and_penalties"])],
     [("For each missed target the Customer receives a credit of 5% of the monthly fee; credits shall not exceed "
       "20% of the monthly fee.", ["service_credits_and_penalties"])]),
    ("termination.no_notice",
     [("Either party may terminate this Agreement upon written notice.", ["termination"])],
     [("Either party may terminate this Agreement upon sixty (60) days' written notice.", ["termination"])]),
    ("term.unfilled",
     [("This Agreement continues for an initial term of _____ months.", ["term_and_renewal"])],
     [("This Agreement continues for an initial term of 24 months.", ["term_and_renewal"])]),
]


@pytest.mark.parametrize(("rule", "failing", "passing"), DRAFTING, ids=[row[0] for row in DRAFTING])
def test_checks_drafting_rule(playbook, extractor, rule, failing, passing):
    assert rule in _rules(_findings(playbook, extractor, *failing))
    assert rule not in _rules(_findings(playbook, extractor, *passing))


def test_checks_conflicting_targets(playbook, extractor):
    conflict = _findings(playbook, extractor,
                         ("Emails shall be answered within 24 hours.", ["service_levels"]),
                         ("Emails shall be answered within 48 hours.", ["service_levels"]))
    assert "metric.conflict" in _rules(conflict)
    same = _findings(playbook, extractor,
                     ("Emails shall be answered within 24 hours.", ["service_levels"]),
                     ("Calls shall be answered within 30 seconds.", ["service_levels"]))
    assert "metric.conflict" not in _rules(same)


def test_checks_signature_blanks_are_not_placeholders(playbook, extractor):
    result = _findings(playbook, extractor, ("By: ____________ Name: ____________", ["general_provisions"]))
    assert "placeholder.unfilled" not in _rules(result)


SECTIONS = [
    ("scope.defined", ("The Supplier shall provide inbound customer care by telephone.", ["scope_of_services"])),
    ("scope.channels", ("The Supplier shall handle telephone and email contacts.", ["scope_of_services"])),
    ("metrics.defined", ("Service levels are set out in Schedule 2.", ["service_levels"])),
    ("metrics.measurable", ("Availability shall be at least 99.5% each month.", ["service_levels"])),
    ("metrics.resolution_time", ("Priority 1 incidents are resolved within 4 hours.", ["service_levels"])),
    ("metrics.satisfaction", ("A customer satisfaction survey is run after each contact.", ["service_levels"])),
    ("metrics.priorities", ("Priority 1: response within 15 minutes. Priority 2: response within 2 hours.",
                            ["service_levels"])),
    ("reporting.defined", ("The Supplier shall send a monthly performance report.", ["reporting_and_review"])),
    ("review.periodic", ("The parties shall review the service levels annually.", ["reporting_and_review"])),
    ("remedies.incentives", ("An earn-back applies when targets are exceeded for three months.",
                             ["service_credits_and_penalties"])),
    ("responsibilities.both_parties", ("The Customer shall provide call volume forecasts each month.",
                                       ["responsibilities"])),
    ("governance.contacts", ("Each party shall appoint an account manager.", ["governance_and_communication"])),
    ("payment.defined", ("Invoices are payable within 30 days.", ["fees_and_payment"])),
    ("data.breach_notice", ("The Supplier shall notify the Customer of any security breach within 48 hours.",
                            ["data_protection"])),
    ("confidentiality.defined", ("Each party shall keep the other's information confidential.",
                                 ["confidentiality"])),
    ("term.defined", ("This Agreement has an initial term of 24 months.", ["term_and_renewal"])),
    ("termination.defined", ("Either party may terminate on 90 days' notice.", ["termination"])),
    ("termination.transition", ("On expiry the Supplier shall provide exit assistance.", ["termination"])),
    ("disputes.defined", ("Disputes are referred to arbitration in London.", ["dispute_resolution"])),
    ("law.governing", ("This Agreement is governed by the laws of Ontario.", ["governing_law"])),
    ("liability.defined", ("Each party's liability is capped at the fees paid.", ["liability_and_indemnity"])),
    ("ip.defined", ("The Customer owns all work product.", ["intellectual_property"])),
    ("amendments.written", ("No amendment is valid unless in writing.", ["amendments_and_changes"])),
    ("escalation.defined", ("Unresolved incidents are escalated to the Service Manager after 4 hours.",
                            ["escalation"])),
    ("remedies.defined", ("A service credit of 5% applies for each missed target.",
                          ["service_credits_and_penalties"])),
    ("data.protection", ("The Supplier shall encrypt Customer Data at rest and in transit.", ["data_protection"])),
    ("data.privacy_law", ("Each party shall comply with the GDPR.", ["data_protection"])),
    ("scope.hours", ("Support is available 8:00 to 18:00 Monday to Friday.", ["scope_of_services"])),
    ("metrics.response_time", ("Calls shall be answered within 30 seconds.", ["service_levels"])),
    ("general.entire_agreement", ("This Agreement is the entire agreement of the parties.", ["general_provisions"])),
]


@pytest.mark.parametrize(("rule", "clause"), SECTIONS, ids=[row[0] for row in SECTIONS])
def test_checks_section_rule(playbook, extractor, rule, clause):
    filler = ("Nothing here.", ["other"])
    assert rule in _findings(playbook, extractor, filler).missing
    assert rule not in _findings(playbook, extractor, filler, clause).missing


def test_checks_completeness_weighs_by_severity(playbook, extractor):
    empty = _findings(playbook, extractor, ("Nothing here.", ["other"]))
    fuller = _findings(playbook, extractor, ("Nothing here.", ["other"]),
                       ("The Supplier shall encrypt Customer Data at rest.", ["data_protection"]))
    assert 0 <= empty.completeness < fuller.completeness <= 100


def test_checks_per_channel_targets(playbook, extractor):
    scope = ("The Supplier shall answer telephone calls and emails.", ["scope_of_services"])
    one = _findings(playbook, extractor, scope, ("Calls shall be answered within 30 seconds.", ["service_levels"]))
    assert "metrics.per_channel" in one.missing
    both = _findings(playbook, extractor, scope, ("Calls shall be answered within 30 seconds.", ["service_levels"]),
                     ("Emails shall be answered within 24 hours.", ["service_levels"]))
    assert "metrics.per_channel" not in both.missing


def test_checks_every_checklist_rule_is_tested():
    tested = {row[0] for row in DRAFTING} | {row[0] for row in SECTIONS} | {"metric.conflict", "metrics.per_channel"}
    assert {rule.id for rule in load_playbook("customer-service-sla").rules} <= tested


def test_rules_text_requirements_pre_test_is_exact():
    """A clause is skipped by the substring pre-test only when the combined pattern cannot match it."""
    from analyzer.checks.rules import CheckContext, _any_of, _mentions
    from analyzer.literals import any_literals
    from analyzer.model import BlockKind, Clause

    assert any_literals([r"\bescalat", r"\bpoint of contact"]) == ("escalat", "point of contact")
    assert any_literals([r"\bescalat", r"(?:tier|level) \d"]) == ("escalat", "tier", "level")
    assert any_literals([r"\bescalat", r"^\d"]) is None
    texts = ["Unresolved incidents are ESCALATED to the service manager.", "Fees are payable monthly.",
             "The Kelvin sign \u212a: escalation follows.", "No match here."]
    clauses = [Clause(id=f"c{i}", text=t, start=0, end=len(t), kind=BlockKind.PARAGRAPH) for i, t in enumerate(texts)]
    ctx = CheckContext(text="", clauses=clauses, targets=[])
    pattern, literals = _any_of((r"\bescalat", r"\bpoint of contact"))
    assert [_mentions(ctx, c, pattern, literals) for c in clauses] == [bool(pattern.search(t)) for t in texts]
    assert [_mentions(ctx, c, pattern, literals) for c in clauses] == [True, False, True, False]
