"""Contract clause analyzer for service agreements.

    from analyzer import analyze
    report = analyze("sla.pdf")
    report.clauses[0].labels, report.targets, report.findings
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clause-analyzer")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"

from analyzer.errors import AnalyzerError, IngestError  # noqa: E402
from analyzer.model import Clause, Document, Finding, Report, Target  # noqa: E402


def __getattr__(name: str):
    # The pipeline pulls in scikit-learn and spaCy: import it only when asked for, so that
    # `clauses --help` and usage errors answer at once.
    if name in {"Analyzer", "analyze"}:
        from analyzer import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")


__all__ = [
    "Analyzer",
    "AnalyzerError",
    "Clause",
    "Document",
    "Finding",
    "IngestError",
    "Report",
    "Target",
    "__version__",
    "analyze",
]
