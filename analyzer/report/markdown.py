"""Markdown report, for terminals and tickets."""

from __future__ import annotations

from analyzer.model import Report


def _cell(text: str | None, limit: int = 90) -> str:
    text = (text or "").replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def render_markdown(report: Report) -> str:
    doc = report.document
    out = [f"# {doc.file_name}", ""]
    facts = [f"format {doc.format}", f"{doc.pages} pages" if doc.pages else None,
             f"{len(report.clauses)} clauses", f"{len(report.targets)} targets",
             f"{len(report.findings)} findings"]
    out.append(", ".join(f for f in facts if f))
    if report.completeness is not None:
        out += ["", f"**Completeness: {report.completeness:.0f}/100** (playbook `{report.playbook}`)"]
    for warning in doc.warnings:
        out.append(f"\n> Warning: {warning}")
    missing = [lab for lab, present in report.coverage.items() if not present]
    if report.coverage:
        out += ["", "## Sections", "", "Present: " + (", ".join(k for k, v in report.coverage.items() if v) or "none"),
                "", "Missing: " + (", ".join(missing) or "none")]
    if report.findings:
        out += ["", "## Findings", "", "| severity | rule | clause | message |", "|---|---|---|---|"]
        order = {"high": 0, "medium": 1, "low": 2}
        for f in sorted(report.findings, key=lambda f: order[f.severity]):
            out.append(f"| {f.severity} | `{f.rule}` | {f.clause_id or 'document'} | {_cell(f.message, 140)} |")
    if report.targets:
        out += ["", "## Targets", "", "| metric | bound | value | unit | channel | priority | period | clause |",
                "|---|---|---|---|---|---|---|---|"]
        for t in report.targets:
            value = "blank" if t.value is None else f"{t.value:g}"
            out.append(f"| {t.metric} | {t.comparator} | {value} | {t.unit} | {t.channel or ''} | "
                       f"{t.priority or ''} | {t.period or ''} | {t.clause_id or ''} |")
    out += ["", "## Clauses", "", "| id | number | heading | labels | text |", "|---|---|---|---|---|"]
    for c in report.clauses:
        labels = ", ".join(f"{lab.label} ({lab.score:.2f})" for lab in c.labels)
        out.append(f"| {c.id} | {c.number or ''} | {_cell(c.context_heading, 40)} | {labels} | {_cell(c.text)} |")
    return "\n".join(out) + "\n"
