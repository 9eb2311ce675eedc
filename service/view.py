"""What the result page shows, built from a `Report`: the document with its clauses highlighted,
findings grouped by severity, missing sections, targets and the downloads."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from analyzer.model import Clause, Finding, Report
from service.rendering import MEDIA_TYPES, download_name

SEVERITIES = ("high", "medium", "low")


@dataclass
class Download:
    fmt: str
    label: str
    file_name: str
    media_type: str
    data_b64: str | None  # None: this format is not available in this version


@dataclass
class ResultView:
    report: Report
    document_html: Markup
    missing: list[Finding]
    findings: dict[str, list[Finding]]
    clause_names: dict[str, str]
    downloads: list[Download] = field(default_factory=list)

    @property
    def finding_count(self) -> int:
        return sum(len(v) for v in self.findings.values()) + len(self.missing)


def clause_anchor(clause_id: str) -> str:
    return f"clause-{clause_id}"


def clause_name(clause: Clause) -> str:
    if clause.number:
        return f"clause {clause.number}"
    if clause.heading:
        return f"“{clause.heading[:40]}”"
    return f"clause {clause.id}"


def _marks(clause: Clause, findings: list[Finding]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, severity) spans of the findings quoted inside the clause."""
    spans = sorted((f.start, f.end, f.severity) for f in findings
                   if f.start is not None and f.end is not None and clause.start <= f.start < f.end <= clause.end)
    kept: list[tuple[int, int, str]] = []
    for start, end, severity in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, severity))
    return kept


def document_html(report: Report) -> Markup:
    """The document text with every clause wrapped in a focusable, labelled span."""
    text = report.text or ""
    by_clause: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.clause_id:
            by_clause.setdefault(finding.clause_id, []).append(finding)
    parts: list[str] = []
    position = 0
    for clause in sorted(report.clauses, key=lambda c: (c.start, -c.end)):
        if clause.start < position or clause.end > len(text):
            continue  # overlapping or out of range: shown as plain text
        parts.append(str(escape(text[position:clause.start])))
        findings = by_clause.get(clause.id, [])
        worst = next((s for s in SEVERITIES if any(f.severity == s for f in findings)), None)
        classes = "clause" + (f" has-finding sev-{worst}" if worst else "")
        labels = ", ".join(label.label.replace("_", " ") for label in clause.labels) or "unlabelled"
        title = f"{clause_name(clause)}: {labels}"
        parts.append(f'<span class="{classes}" id="{clause_anchor(clause.id)}" tabindex="-1" '
                     f'data-clause="{escape(clause.id)}" title="{escape(title)}">')
        inner = clause.start
        for start, end, severity in _marks(clause, findings):
            parts.append(str(escape(text[inner:start])))
            parts.append(f'<mark class="sev-{severity}">{escape(text[start:end])}</mark>')
            inner = end
        parts.append(str(escape(text[inner:clause.end])) + "</span>")
        position = clause.end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def build_view(report: Report, rendered: dict[str, bytes], available: set[str]) -> ResultView:
    known = {c.id for c in report.clauses}
    grouped: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
    missing: list[Finding] = []
    for finding in report.findings:
        if finding.clause_id in known:
            grouped[finding.severity].append(finding)
        else:
            missing.append(finding)
    downloads = []
    for fmt, label in (("html", "HTML report"), ("docx", "Word (DOCX) report"), ("json", "JSON report")):
        data = rendered.get(fmt) if fmt in available else None
        downloads.append(Download(fmt, label, download_name(report.document.file_name, fmt), MEDIA_TYPES[fmt],
                                  base64.b64encode(data).decode("ascii") if data is not None else None))
    return ResultView(report=report, document_html=document_html(report), missing=missing, findings=grouped,
                      clause_names={c.id: clause_name(c) for c in report.clauses}, downloads=downloads)
