"""The labeled clause corpus: JSONL lines {"text", "heading", "labels"}."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import AnalyzerError


@dataclass(frozen=True)
class Example:
    text: str
    heading: str
    labels: tuple[str, ...]


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
    for file in corpus_files(path):
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def load_corpus(path: Path) -> list[Example]:
    examples = []
    for file in corpus_files(path):
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
            examples.append(Example(text, record.get("heading") or "", tuple(dict.fromkeys(labels))))
    if not examples:
        raise AnalyzerError(f"{path}: the corpus is empty")
    return examples
