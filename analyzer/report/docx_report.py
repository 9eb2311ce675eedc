"""DOCX output.

For a DOCX input: the original document back, with a Word comment (rule, message,
suggestion) on each flagged paragraph and the missing sections on the first one.
For any other input: a DOCX report (score, missing sections, findings, targets).
"""

from __future__ import annotations

import io
import re

import docx
from docx.oxml.ns import qn

from analyzer.ingest.docx import _paragraph_text
from analyzer.model import Finding, Report

AUTHOR, INITIALS = "Clause Analyzer", "CA"
_NUMBER_PREFIX = re.compile(r"^\s*\(?[0-9a-zA-Z]{1,4}(?:\.[0-9]{1,3})*[.)]?\s+")


def _comment_text(findings: list[Finding]) -> str:
    return "\n\n".join(f"[{f.severity.upper()}] {f.rule}: {f.message}\nSuggestion: {f.suggestion}" for f in findings)


def _body_paragraphs(document) -> list:
    """Body paragraphs in reading order, table cells included."""
    return list(document.element.body.iter(qn("w:p")))


def annotate_docx(report: Report, original: bytes) -> bytes:
    """The uploaded DOCX with a comment on each flagged paragraph."""
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(original))
    paragraphs = [(Paragraph(p, document.part), _paragraph_text(p)[0]) for p in _body_paragraphs(document)]
    paragraphs = [(p, text) for p, text in paragraphs if text and p.runs]
    clauses = {c.id: c for c in report.clauses}
    by_paragraph: dict[int, list[Finding]] = {}
    for finding in report.findings:
        clause = clauses.get(finding.clause_id or "")
        if clause is None:
            continue
        needle = (finding.text or _NUMBER_PREFIX.sub("", clause.text))[:60].strip()
        anchor = _NUMBER_PREFIX.sub("", clause.text)[:40].strip()
        index = next((i for i, (_, text) in enumerate(paragraphs) if anchor and anchor in text and needle in text),
                     None)
        if index is None:
            index = next((i for i, (_, text) in enumerate(paragraphs) if anchor and anchor in text), None)
        if index is not None:
            by_paragraph.setdefault(index, []).append(finding)
    for index, findings in by_paragraph.items():
        paragraph = paragraphs[index][0]
        document.add_comment(paragraph.runs, text=_comment_text(findings), author=AUTHOR, initials=INITIALS)
    missing = [f for f in report.findings if f.clause_id is None]
    if missing and paragraphs:
        summary = (f"Completeness {report.completeness:.0f}/100 (playbook {report.playbook}). Missing sections:\n\n"
                   + _comment_text(missing))
        document.add_comment(paragraphs[0][0].runs, text=summary, author=AUTHOR, initials=INITIALS)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_docx(report: Report) -> bytes:
    """A DOCX report for inputs that are not DOCX."""
    document = docx.Document()
    doc = report.document
    document.add_heading(f"Contract analysis: {doc.file_name}", level=0)
    document.add_paragraph(f"Format {doc.format.upper()}, {doc.pages} pages, {len(report.clauses)} clauses, "
                           f"type {doc.doc_type or 'unknown'}, playbook {report.playbook or 'none'}.")
    if report.completeness is not None:
        document.add_heading(f"Completeness: {report.completeness:.0f}/100", level=1)
    for warning in doc.warnings:
        document.add_paragraph(f"Warning: {warning}")
    missing = [f for f in report.findings if f.clause_id is None]
    document.add_heading("Missing sections", level=1)
    for f in missing:
        document.add_paragraph(f"[{f.severity.upper()}] {f.rule}: {f.message} Suggestion: {f.suggestion}",
                               style="List Bullet")
    document.add_heading("Findings in the text", level=1)
    for f in [f for f in report.findings if f.clause_id is not None]:
        document.add_paragraph(f"[{f.severity.upper()}] {f.rule} in {f.clause_id}: {f.message} "
                               f"Suggestion: {f.suggestion}", style="List Bullet")
    if report.targets:
        document.add_heading("Numeric targets", level=1)
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, ["metric", "bound", "value", "unit", "clause", "text"],
                               strict=True):
            cell.text = title
        for t in report.targets:
            row = table.add_row().cells
            values = [t.metric, t.comparator, "blank" if t.value is None else f"{t.value:g}", t.unit,
                      t.clause_id or "", t.text]
            for cell, value in zip(row, values, strict=True):
                cell.text = value
    document.add_heading("Clauses", level=1)
    for c in report.clauses:
        labels = ", ".join(f"{lab.label} ({lab.score:.2f})" for lab in c.labels)
        document.add_paragraph(f"{c.id} [{labels}] {c.text[:500]}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_docx(report: Report, original: bytes | None = None) -> bytes:
    if original is not None and report.document.format == "docx":
        return annotate_docx(report, original)
    return report_docx(report)
