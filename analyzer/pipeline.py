"""The one analysis path: file -> Document -> clauses -> labels, targets -> findings -> Report.

The CLI, the service and batch audits all call `Analyzer.analyze`. An `Analyzer`
holds what is expensive to load (the classifier, spaCy, playbooks) so a process
loads them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.checks import Playbook, load_playbook, run_playbook
from analyzer.checks.doctype import detect_doc_type, playbook_for
from analyzer.classify.model import ClauseClassifier
from analyzer.errors import ModelError
from analyzer.extract import TargetExtractor
from analyzer.ingest import load_document
from analyzer.ingest.limits import DEFAULT_LIMITS, IngestLimits
from analyzer.model import Clause, Document, DocumentInfo, LabelScore, Report
from analyzer.segment import segment

# Labels whose presence says nothing about completeness.
NOT_SECTIONS = {"other", "preamble"}


@dataclass
class Analyzer:
    limits: IngestLimits = field(default_factory=lambda: DEFAULT_LIMITS)
    include_text: bool = True
    model_dir: Path | None = None
    _classifier: ClauseClassifier | None = field(default=None, init=False, repr=False)
    _classifier_error: str | None = field(default=None, init=False, repr=False)
    _extractor: TargetExtractor | None = field(default=None, init=False, repr=False)
    _playbooks: dict[str, Playbook] = field(default_factory=dict, init=False, repr=False)

    @property
    def extractor(self) -> TargetExtractor:
        if self._extractor is None:
            self._extractor = TargetExtractor()
        return self._extractor

    @property
    def classifier(self) -> ClauseClassifier | None:
        """The clause classifier, loaded on first use and kept for the process."""
        if self._classifier is None and self._classifier_error is None:
            try:
                self._classifier = ClauseClassifier.load(self.model_dir)
            except ModelError as exc:
                self._classifier_error = str(exc)
        return self._classifier

    def analyze(self, source: str | Path | bytes, file_name: str | None = None,
                playbook: str | Path | None = None) -> Report:
        """Analyze a path, or bytes with their file name. `playbook`: a built-in name or a YAML path
        (default: chosen from the detected document type)."""
        data, name = _read_source(source, file_name)
        document = load_document(data, name, self.limits)
        return self.analyze_document(document, playbook)

    def playbook(self, name_or_path: str | Path) -> Playbook:
        """Playbooks are parsed and validated once per process."""
        key = str(name_or_path)
        if key not in self._playbooks:
            self._playbooks[key] = load_playbook(name_or_path)
        return self._playbooks[key]

    def analyze_document(self, document: Document, playbook: str | Path | None = None) -> Report:
        from analyzer import __version__

        clauses = segment(document)
        warnings = list(document.warnings)
        coverage = self._label(clauses, warnings)
        targets = self.extractor.extract(clauses)
        doc_type, type_reason = detect_doc_type(clauses, document.text)
        if playbook is None:
            playbook_name, playbook_reason = playbook_for(doc_type, document.text)
            chosen = self.playbook(playbook_name)
            reason = f"{type_reason}; playbook {chosen.id} chosen as {playbook_reason}"
        else:
            chosen = self.playbook(playbook)
            reason = f"{type_reason}; playbook {chosen.id} named by the user"
        classifier = self.classifier
        checked = run_playbook(chosen, document.text, clauses, targets,
                               classifier.confident if classifier is not None else None)
        return Report(
            analyzer_version=__version__,
            document=DocumentInfo(
                file_name=document.file_name,
                sha256=document.sha256,
                format=document.format,
                pages=len(document.pages),
                characters=len(document.text),
                warnings=warnings,
                doc_type=doc_type,
                doc_type_reason=reason,
            ),
            clauses=clauses,
            targets=targets,
            findings=checked.findings,
            coverage=coverage,
            playbook=chosen.id,
            completeness=checked.completeness,
            text=document.text if self.include_text else None,
        )


    def _label(self, clauses: list[Clause], warnings: list[str]) -> dict[str, bool]:
        classifier = self.classifier
        if classifier is None:
            warnings.append(f"clauses are not labelled: {self._classifier_error}")
            return {}
        predictions = classifier.predict([c.text for c in clauses], [c.context_heading for c in clauses])
        for clause, prediction in zip(clauses, predictions, strict=True):
            clause.labels = [LabelScore(label=lab, score=prediction.scores[lab]) for lab in prediction.labels]
        # A section is present when a clause carries its label above the threshold. The best label a
        # clause gets when none passes is shown on the clause but is a guess: it does not make a section.
        present = {lab.label for c in clauses for lab in c.labels if classifier.confident(lab.label, lab.score)}
        return {label: label in present for label in classifier.labels if label not in NOT_SECTIONS}


def _read_source(source: str | Path | bytes, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        if not file_name:
            raise ValueError("analyze(bytes) needs file_name")
        return bytes(source), file_name
    path = Path(source)
    return path.read_bytes(), file_name or path.name


_default: Analyzer | None = None


def analyze(source: str | Path | bytes, file_name: str | None = None, playbook: str | Path | None = None) -> Report:
    """Analyze one document with the default analyzer (loaded once per process)."""
    global _default
    if _default is None:
        _default = Analyzer()
    return _default.analyze(source, file_name, playbook)
