"""Run a playbook over an analyzed document: findings and a completeness score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analyzer.checks.playbook import Playbook
from analyzer.checks.rules import DRAFTING_CHECKS, CheckContext, requirement_met
from analyzer.model import Clause, Finding, Target

SEVERITY_WEIGHT = {"high": 3, "medium": 2, "low": 1}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class CheckResult:
    findings: list[Finding]
    completeness: float
    missing: list[str]  # ids of the section rules that failed


def run_playbook(playbook: Playbook, text: str, clauses: list[Clause], targets: list[Target],
                 confident: Callable[[str, float], bool] | None = None) -> CheckResult:
    """`confident(label, score)`: whether a clause label counts as the section being there (the report's
    coverage uses the same test); by default every label counts."""
    ctx = CheckContext(text=text, clauses=clauses, targets=targets, confident=confident)
    findings: list[Finding] = []
    missing: list[str] = []
    total = passed = 0
    for rule in playbook.rules:
        if rule.kind == "section":
            assert rule.requires is not None  # validated on load
            weight = SEVERITY_WEIGHT[rule.severity]
            total += weight
            if requirement_met(ctx, rule, rule.requires):
                passed += weight
            else:
                missing.append(rule.id)
                findings.append(Finding(rule=rule.id, severity=rule.severity, message=rule.message,
                                        suggestion=rule.suggestion))
        else:
            findings.extend(DRAFTING_CHECKS[rule.check or ""](ctx, rule))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.clause_id is not None, f.start or 0))
    completeness = round(100.0 * passed / total, 1) if total else 100.0
    return CheckResult(findings=findings, completeness=completeness, missing=missing)
