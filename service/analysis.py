"""One document through the analyzer, as every route and the batch worker do it (runs on a worker thread)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from analyzer.errors import AnalyzerError, UnsupportedFormatError
from analyzer.ingest import load_document, sniff_format
from analyzer.model import Report
from analyzer.pipeline import Analyzer
from service.errors import ServiceError, from_analyzer, too_large, unprocessable, unsupported
from service.limits import is_archive
from service.rendering import render_report

TEXT_FAMILY = {"txt", "md", "html"}
# Media types a client may claim for a part, and the format they promise.
CLAIMED_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
}


# PDFium (through pypdfium2) must never be entered by two threads at once: concurrent PDF reads crash
# the process (a segfault, seen with four threads). PDF ingest is serialized; the rest runs in parallel.
PDF_LOCK = threading.Lock()


@dataclass
class Outcome:
    report: Report
    rendered: dict[str, bytes]


def check_claims(data: bytes, file_name: str, content_type: str | None) -> None:
    """Refuse (415) a file whose bytes are not what its name or media type says."""
    if is_archive(data):
        raise unsupported(f"{file_name}: a zip archive, not a document; send archives to POST /api/v1/batches")
    claimed = CLAIMED_TYPES.get((content_type or "").lower())
    if claimed is None:
        return  # application/octet-stream and the like claim nothing; the name is checked by the analyzer
    try:
        actual = sniff_format(data, file_name)
    except UnsupportedFormatError:
        return  # the analyzer says precisely what the content is
    if claimed != actual and not (claimed in TEXT_FAMILY and actual in TEXT_FAMILY):
        raise unsupported(f"mislabeled file: sent as {content_type} but the content is {actual.upper()}")


def analyze_upload(analyzer: Analyzer, data: bytes, file_name: str, content_type: str | None,
                   playbook: str | None, formats: tuple[str, ...] = ()) -> Outcome:
    """Analyze bytes held in memory and render them in `formats`; errors become `ServiceError`s."""
    if not data:
        raise ServiceError(400, "empty_file", f"{file_name}: the file is empty (0 bytes)")
    try:
        check_claims(data, file_name, content_type)
        if b"%PDF-" in data[:1024]:  # the analyzer's own PDF test (sniff_format)
            with PDF_LOCK:
                document = load_document(data, file_name, analyzer.limits)
        else:
            document = load_document(data, file_name, analyzer.limits)
        report = analyzer.analyze_document(document, playbook)
    except AnalyzerError as exc:
        raise from_analyzer(exc) from None
    except MemoryError:
        raise too_large(f"{file_name}: not enough memory to analyze this document") from None
    except RecursionError:
        raise unprocessable(f"{file_name}: the document is nested too deeply to analyze") from None
    original = data if report.document.format == "docx" else None
    return Outcome(report, {fmt: render_report(report, fmt, original) for fmt in formats})


def summarize(report: Report) -> dict[str, Any]:
    severities = Counter(f.severity for f in report.findings)
    return {
        "completeness": report.completeness,
        "playbook": report.playbook,
        "doc_type": report.document.doc_type,
        "format": report.document.format,
        "pages": report.document.pages,
        "clauses": len(report.clauses),
        "targets": len(report.targets),
        "findings": {level: severities.get(level, 0) for level in ("high", "medium", "low")},
    }
