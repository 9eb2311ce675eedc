"""The one door to `analyzer.report.render`: which formats exist, their media types, and bytes out.

Renderers are added to the analyzer over time ("html", "docx"); a format the installed analyzer
cannot render yet is answered with 422 `format_unavailable` instead of an error page.
"""

from __future__ import annotations

import inspect
from typing import Literal

from analyzer.model import Report
from service.errors import ServiceError

ReportFormat = Literal["json", "html", "md", "docx"]
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": DOCX_MEDIA_TYPE,
}
EXTENSIONS = {"json": "json", "html": "html", "md": "md", "docx": "docx"}


def available_formats() -> set[str]:
    from analyzer import report as renderers

    return {"json", *getattr(renderers, "FORMATS", ())} & set(MEDIA_TYPES)


def unavailable(fmt: str) -> ServiceError:
    return ServiceError(422, "format_unavailable",
                        f"the {fmt.upper()} report is not available in this version "
                        f"(available: {', '.join(sorted(available_formats()))})")


def ensure_available(fmt: str) -> None:
    if fmt not in available_formats():
        raise unavailable(fmt)


def _accepts_original(render) -> bool:  # noqa: ANN001
    try:
        parameters = inspect.signature(render).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "original" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def render_report(report: Report, fmt: str, original: bytes | None = None) -> bytes:
    """The report in `fmt` as bytes; DOCX reports of DOCX inputs are built on the original upload."""
    if fmt == "json":
        return report.model_dump_json().encode("utf-8")
    from analyzer.report import render

    try:
        if fmt == "docx" and _accepts_original(render):
            rendered = render(report, fmt, original=original if report.document.format == "docx" else None)
        else:
            rendered = render(report, fmt)
    except ValueError as exc:
        if "unknown report format" in str(exc):
            raise unavailable(fmt) from None
        raise
    return rendered.encode("utf-8") if isinstance(rendered, str) else bytes(rendered)


def download_name(file_name: str, fmt: str) -> str:
    """`sla.pdf` -> `sla.pdf.report.html`: the input name is kept, as `clauses analyze --out` does."""
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._- " else "_" for ch in file_name).strip()
    safe = safe or "document"
    return f"{safe[:120]}.report.{EXTENSIONS[fmt]}"
