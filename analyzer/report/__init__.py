"""Renderers: one module per output format, all reading the same `Report`."""

from __future__ import annotations

from analyzer.model import Report

FORMATS = ("json", "md", "html", "docx")
BINARY_FORMATS = {"docx"}
MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(report: Report, fmt: str, original: bytes | None = None) -> str | bytes:
    """Render a report. `original`: the input's bytes, so a DOCX input comes back annotated."""
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "md":
        from analyzer.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from analyzer.report.html import render_html

        return render_html(report)
    if fmt == "docx":
        from analyzer.report.docx_report import render_docx

        return render_docx(report, original)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
