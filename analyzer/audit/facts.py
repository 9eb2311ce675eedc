"""The per-document facts the summary table needs, taken from a report and its playbook."""

from __future__ import annotations

from analyzer.audit.models import KEY_TARGETS, DocFacts
from analyzer.checks import Playbook
from analyzer.model import Report

DURATION_UNITS = {"seconds", "minutes", "hours", "days", "business_days", "weeks", "months", "years"}
SHARE_UNITS = {"percent"}


def facts_of(report: Report, playbook: Playbook | None) -> DocFacts:
    rules = playbook.rules if playbook else []
    high_sections = {r.id for r in rules if r.kind == "section" and r.severity == "high"}
    counts = {"high": 0, "medium": 0, "low": 0}
    for finding in report.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    info = report.document
    return DocFacts(
        sha256=info.sha256,
        format=info.format,
        doc_type=info.doc_type,
        playbook=report.playbook,
        pages=info.pages,
        characters=info.characters,
        clauses=len(report.clauses),
        targets=len(report.targets),
        completeness=report.completeness,
        missing_high=[f.rule for f in report.findings if f.rule in high_sections],
        findings=counts,
        coverage=dict(report.coverage),
        key_targets=key_targets(report),
        warnings=len(info.warnings),
    )


def key_targets(report: Report) -> dict[str, float | None]:
    """The headline value of each key metric: the longest notice, the fastest response, the highest share."""
    out: dict[str, float | None] = {}
    for column, metric, pick, scale in KEY_TARGETS:
        values = [
            t.normalized for t in report.targets
            if t.metric == metric and t.normalized is not None and t.unit in (DURATION_UNITS | SHARE_UNITS)
        ]
        out[column] = round((max if pick == "max" else min)(values) * scale, 4) if values else None
    return out
