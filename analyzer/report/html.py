"""HTML report: one self-contained file (no network), readable on screen and on paper.

Score first, then missing sections, findings by severity (each links to its clause),
the targets table, and the full text with clauses coloured by label and flagged spans
marked.
"""

from __future__ import annotations

from html import escape

from analyzer.model import Clause, Finding, Report

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

# One soft colour per label family; unknown labels fall back to grey.
LABEL_COLOURS = {
    "preamble": "#eceff1", "definitions": "#f3e5f5", "scope_of_services": "#e3f2fd", "service_levels": "#e8f5e9",
    "reporting_and_review": "#f1f8e9", "escalation": "#fff3e0", "service_credits_and_penalties": "#fce4ec",
    "responsibilities": "#e0f7fa", "governance_and_communication": "#e0f2f1", "fees_and_payment": "#fffde7",
    "data_protection": "#ede7f6", "confidentiality": "#e8eaf6", "term_and_renewal": "#f9fbe7",
    "termination": "#ffebee", "liability_and_indemnity": "#fbe9e7", "warranties": "#efebe9",
    "intellectual_property": "#e1f5fe", "dispute_resolution": "#fff8e1", "governing_law": "#f5f5f5",
    "amendments_and_changes": "#f3e5f5", "force_majeure": "#eceff1", "general_provisions": "#fafafa",
    "other": "#ffffff",
}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
.meta{color:#555}.score{font-size:2.2em;font-weight:700}.score small{font-size:.45em;color:#555}
.sev{display:inline-block;min-width:4.5em;padding:0 .4em;border-radius:3px;font-size:.8em;font-weight:600;
text-transform:uppercase;text-align:center}
.sev-high{background:#c62828;color:#fff}.sev-medium{background:#ef6c00;color:#fff}.sev-low{background:#546e7a;color:#fff}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f5f5f5}
ul.findings{list-style:none;padding:0}ul.findings li{padding:6px 0;border-bottom:1px solid #eee}
.suggestion{color:#2e7d32;font-size:.92em}
.clause{display:block;margin:10px 0;padding:8px 10px;border-left:4px solid #90a4ae;border-radius:3px;
white-space:pre-wrap}
.clause:target,.clause:focus{outline:3px solid #1565c0}
.tags{display:block;font-size:.75em;color:#37474f;margin-bottom:2px;white-space:normal}
.gap{white-space:pre-wrap;color:#666}
mark{padding:0 2px;border-radius:2px}mark.high{background:#ffcdd2}mark.medium{background:#ffe0b2}
mark.low{background:#cfd8dc}.warn{background:#fff8e1;border:1px solid #ffe082;padding:6px 10px}
@media print{a{color:inherit;text-decoration:none}.clause{break-inside:avoid}main{max-width:none}}
"""


def _labels(clause: Clause) -> str:
    return ", ".join(f"{lab.label} {lab.score:.2f}" for lab in clause.labels) or "unlabelled"


def _clause_html(text: str, clause: Clause, findings: list[Finding]) -> str:
    spans = sorted(((f.start, f.end, f) for f in findings if f.start is not None and f.end is not None
                    and clause.start <= f.start < f.end <= clause.end), key=lambda s: s[0])
    out, cursor = [], clause.start
    for start, end, finding in spans:
        if start < cursor:
            continue  # overlapping marks: keep the first
        out.append(escape(text[cursor:start]))
        out.append(f'<mark class="{finding.severity}" title="{escape(finding.rule)}: {escape(finding.message)}">'
                   f"{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:clause.end]))
    first = clause.labels[0].label if clause.labels else "other"
    colour = LABEL_COLOURS.get(first, "#f5f5f5")
    heading = " / ".join(clause.heading_path + ([clause.heading] if clause.heading else []))
    return (f'<section class="clause" id="{clause.id}" tabindex="-1" style="background:{colour}" '
            f'data-labels="{escape(" ".join(lab.label for lab in clause.labels))}">'
            f'<span class="tags">{clause.id}{" · " + escape(heading) if heading else ""} · {escape(_labels(clause))}'
            f'{" · p." + ",".join(map(str, clause.pages)) if clause.pages else ""}</span>{"".join(out)}</section>')


def render_html(report: Report) -> str:
    doc = report.document
    text = report.text or ""
    findings = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.start or 0))
    missing = [f for f in findings if f.clause_id is None]
    flagged = [f for f in findings if f.clause_id is not None]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>{escape(doc.file_name)}: contract analysis</title><style>{CSS}</style></head><body><main>",
        f"<h1>{escape(doc.file_name)}</h1>",
        f"<p class='meta'>{escape(doc.format.upper())} · {doc.pages or 'no'} pages · {len(report.clauses)} clauses"
        f" · type {escape(doc.doc_type or 'unknown')} · playbook {escape(report.playbook or 'none')}</p>",
    ]
    if report.completeness is not None:
        parts.append(f"<p class='score' id='score'>{report.completeness:.0f}<small>/100 completeness</small></p>")
    if doc.doc_type_reason:
        parts.append(f"<p class='meta'>{escape(doc.doc_type_reason)}</p>")
    parts += [f"<p class='warn'>{escape(w)}</p>" for w in doc.warnings]
    parts.append(f"<h2 id='missing'>Missing sections ({len(missing)})</h2><ul class='findings'>")
    for f in missing:
        parts.append(f"<li><span class='sev sev-{f.severity}'>{f.severity}</span> <code>{escape(f.rule)}</code> "
                     f"{escape(f.message)}<div class='suggestion'>{escape(f.suggestion)}</div></li>")
    parts.append("</ul>")
    parts.append(f"<h2 id='findings'>Findings in the text ({len(flagged)})</h2><ul class='findings'>")
    for f in flagged:
        parts.append(f"<li><span class='sev sev-{f.severity}'>{f.severity}</span> <code>{escape(f.rule)}</code> "
                     f"<a class='finding-link' href='#{f.clause_id}'>{escape(f.clause_id or '')}</a> "
                     f"{escape(f.message)}<div class='suggestion'>{escape(f.suggestion)}</div></li>")
    parts.append("</ul>")
    parts.append(f"<h2 id='targets'>Numeric targets ({len(report.targets)})</h2>")
    if report.targets:
        parts.append("<table><thead><tr><th>metric</th><th>bound</th><th>value</th><th>unit</th><th>channel</th>"
                     "<th>priority</th><th>period</th><th>business hours</th><th>clause</th><th>text</th></tr>"
                     "</thead><tbody>")
        for t in report.targets:
            value = "blank" if t.value is None else f"{t.value:g}"
            parts.append(f"<tr><td>{escape(t.metric)}</td><td>{escape(t.comparator)}</td><td>{value}</td>"
                         f"<td>{escape(t.unit)}</td><td>{escape(t.channel or '')}</td><td>{escape(t.priority or '')}"
                         f"</td><td>{escape(t.period or '')}</td><td>{'yes' if t.business_hours else ''}</td>"
                         f"<td><a href='#{t.clause_id}'>{escape(t.clause_id or '')}</a></td>"
                         f"<td>{escape(t.text)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("<h2 id='text'>The document</h2>")
    by_clause: dict[str, list[Finding]] = {}
    for f in flagged:
        by_clause.setdefault(f.clause_id or "", []).append(f)
    cursor = 0
    for clause in report.clauses:
        if clause.start > cursor and text[cursor:clause.start].strip():
            parts.append(f"<div class='gap'>{escape(text[cursor:clause.start].strip())}</div>")
        parts.append(_clause_html(text, clause, by_clause.get(clause.id, [])))
        cursor = clause.end
    if text[cursor:].strip():
        parts.append(f"<div class='gap'>{escape(text[cursor:].strip())}</div>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
