"""The one analysis path: file -> Document -> clauses -> labels, targets -> findings -> Report.

The CLI, the service and batch audits all call `Analyzer.analyze`. An `Analyzer`
holds what is expensive to load (the classifier, spaCy, playbooks) so a process
loads them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.ingest import load_document
from analyzer.ingest.limits import DEFAULT_LIMITS, IngestLimits
from analyzer.model import Document, DocumentInfo, Report
from analyzer.segment import segment


@dataclass
class Analyzer:
    limits: IngestLimits = field(default_factory=lambda: DEFAULT_LIMITS)
    include_text: bool = True

    def analyze(self, source: str | Path | bytes, file_name: str | None = None) -> Report:
        """Analyze a path, or bytes with their file name."""
        data, name = _read_source(source, file_name)
        document = load_document(data, name, self.limits)
        return self.analyze_document(document)

    def analyze_document(self, document: Document) -> Report:
        from analyzer import __version__

        clauses = segment(document)
        return Report(
            analyzer_version=__version__,
            document=DocumentInfo(
                file_name=document.file_name,
                sha256=document.sha256,
                format=document.format,
                pages=len(document.pages),
                characters=len(document.text),
                warnings=document.warnings,
            ),
            clauses=clauses,
            text=document.text if self.include_text else None,
        )


def _read_source(source: str | Path | bytes, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        if not file_name:
            raise ValueError("analyze(bytes) needs file_name")
        return bytes(source), file_name
    path = Path(source)
    return path.read_bytes(), file_name or path.name


_default: Analyzer | None = None


def analyze(source: str | Path | bytes, file_name: str | None = None) -> Report:
    """Analyze one document with the default analyzer (loaded once per process)."""
    global _default
    if _default is None:
        _default = Analyzer()
    return _default.analyze(source, file_name)
