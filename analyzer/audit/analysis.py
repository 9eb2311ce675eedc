"""Analyze one work item into an `Outcome`, with one `Analyzer` per process (model loaded once)."""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

from analyzer.audit.facts import facts_of
from analyzer.audit.models import Outcome, PlaybookSpec, WorkItem
from analyzer.errors import AnalyzerError
from analyzer.pipeline import Analyzer

_analyzer: Analyzer | None = None
_playbook_files: dict[str, Path] = {}
_playbook_folder: tempfile.TemporaryDirectory | None = None  # removed when the process exits


def analyzer() -> Analyzer:
    """The process's analyzer, with its model and spaCy loaded (once)."""
    global _analyzer
    if _analyzer is None:
        _analyzer = Analyzer()
        _ = _analyzer.classifier, _analyzer.extractor
    return _analyzer


def playbook_arg(spec: PlaybookSpec) -> str | None:
    """What `Analyzer.analyze` takes for the spec: a built-in name, a local copy of a YAML file, or None."""
    if spec.text is None:
        return spec.name
    digest = hashlib.sha256(spec.text.encode("utf-8")).hexdigest()[:16]
    global _playbook_folder
    if digest not in _playbook_files:
        if _playbook_folder is None:
            _playbook_folder = tempfile.TemporaryDirectory(prefix="clauses-playbook-")
        path = Path(_playbook_folder.name) / f"{digest}.yaml"
        path.write_text(spec.text, encoding="utf-8")
        _playbook_files[digest] = path
    return str(_playbook_files[digest])


def analyze_one(item: WorkItem, spec: PlaybookSpec) -> Outcome:
    """Never raises for a bad document: the error becomes the outcome's one-line message."""
    started = time.perf_counter()
    try:
        engine = analyzer()
        chosen = playbook_arg(spec)
        report = engine.analyze(item.data, file_name=item.name, playbook=chosen)
        facts = facts_of(report, engine.playbook(chosen or report.playbook or ""))
        return Outcome(item.path, True, report.model_dump_json(indent=2), facts, None,
                       time.perf_counter() - started)
    except (AnalyzerError, OSError, ValueError) as exc:
        error = one_line(exc)
    except MemoryError:
        error = "out of memory while analyzing"
    except RecursionError:
        error = "document structure too deeply nested"
    except Exception as exc:  # a bug: still one line, and the batch goes on
        error = f"internal error ({type(exc).__name__}: {one_line(exc)})"
    return Outcome(item.path, False, None, None, error, time.perf_counter() - started)


def one_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__
