"""The labeled clause corpus: JSONL lines {"text", "heading", "labels"}."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import AnalyzerError

TUNING_FILE = "tuning.yaml"  # optional, beside the corpus files: which files thresholds are tuned on


@dataclass(frozen=True)
class Example:
    text: str
    heading: str
    labels: tuple[str, ...]
    source: str = ""  # the corpus file it came from, relative to the corpus folder


def corpus_files(path: Path) -> list[Path]:
    """A JSONL file, or every *.jsonl below a folder, in a stable order."""
    if path.is_dir():
        files = sorted(path.rglob("*.jsonl"))
        if not files:
            raise AnalyzerError(f"{path}: no .jsonl files in this folder")
        return files
    if not path.exists():
        raise AnalyzerError(f"{path}: no such corpus file or folder")
    return [path]


def corpus_hash(path: Path) -> str:
    """sha256 over the corpus files' names and bytes: changes whenever the corpus does."""
    digest = hashlib.sha256()
    root = path if path.is_dir() else path.parent
    for file in corpus_files(path) + ([root / TUNING_FILE] if (root / TUNING_FILE).exists() else []):
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def tuning_sources(path: Path) -> list[str]:
    """The corpus files named under `tune_on` in the folder's tuning.yaml ([] without one).

    Thresholds tuned on a random split of the corpus are tuned on clauses like those the model learnt
    from, and come out too high for documents unlike them. Files named here are held out of training
    while thresholds are chosen, so that the thresholds are those that work on drafting the model has
    not seen.
    """
    if not path.is_dir() or not (path / TUNING_FILE).exists():
        return []
    import yaml

    try:
        config = yaml.safe_load((path / TUNING_FILE).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AnalyzerError(f"{path / TUNING_FILE}: not valid YAML ({type(exc).__name__})") from None
    names = config.get("tune_on") if isinstance(config, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise AnalyzerError(f"{path / TUNING_FILE}: `tune_on` must be a list of corpus file names")
    known = {str(f.relative_to(path)) for f in corpus_files(path)}
    unknown = sorted(set(names) - known)
    if unknown:
        raise AnalyzerError(f"{path / TUNING_FILE}: no such corpus file: {', '.join(unknown)}")
    return names


def load_corpus(path: Path) -> list[Example]:
    examples = []
    root = path if path.is_dir() else path.parent
    for file in corpus_files(path):
        source = str(file.relative_to(root))
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                labels = record["labels"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise AnalyzerError(f"{file}:{number}: not a corpus record ({exc})") from None
            if not isinstance(text, str) or not text.strip():
                raise AnalyzerError(f"{file}:{number}: empty text")
            if isinstance(labels, str):
                labels = [labels]
            if not labels or not all(isinstance(lab, str) and lab for lab in labels):
                raise AnalyzerError(f"{file}:{number}: labels must be a non-empty list of strings")
            examples.append(Example(text, record.get("heading") or "", tuple(dict.fromkeys(labels)), source))
    if not examples:
        raise AnalyzerError(f"{path}: the corpus is empty")
    return examples
