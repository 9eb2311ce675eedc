"""Every shared evaluation document and seed goes through the whole pipeline without error.

The documents are read at run time from ../shared (next to the repository); nothing from them
is copied into the tests. Labels are not checked here (that is the scorer's job): only that
analysis succeeds, that offsets are exact and that PDF page numbers never become clauses.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from analyzer.pipeline import Analyzer

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL = SHARED / "eval"
FOLDERS = [EVAL / "docs", EVAL / "extra", SHARED / "seeds"]
BARE_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")


def _documents() -> list[Path]:
    found = []
    for folder in FOLDERS:
        if folder.is_dir():
            found.extend(sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")))
    return found


def _id(path: Path) -> str:
    return path.relative_to(SHARED).as_posix()


DOCUMENTS = _documents()

KNOWN_FAILURES: dict[str, pytest.MarkDecorator] = {}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    if not EVAL.is_dir():
        pytest.skip(f"no evaluation folder at {EVAL}")
    return Analyzer()


@pytest.mark.skipif(not EVAL.is_dir(), reason="no shared evaluation folder next to the repository")
def test_eval_documents_are_present():
    assert any((EVAL / "docs").iterdir())


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=_id(p), marks=KNOWN_FAILURES.get(_id(p), ())) for p in DOCUMENTS]
)
def test_eval_document_analyzes_with_exact_offsets(analyzer, path):
    report = analyzer.analyze(path)
    text = report.text
    assert text is not None and text.strip()
    assert report.clauses, "no clauses found"
    ids = [c.id for c in report.clauses]
    assert len(set(ids)) == len(ids)
    for clause in report.clauses:
        assert 0 <= clause.start < clause.end <= len(text)
        assert text[clause.start:clause.end] == clause.text, clause.id
    for target in report.targets:
        assert text[target.start:target.end] == target.text, target
    if report.document.format == "pdf":
        page_numbers = [c.id for c in report.clauses if BARE_PAGE_NUMBER.match(c.text)]
        assert not page_numbers, f"bare page numbers became clauses: {page_numbers}"


def test_eval_skips_cleanly_without_the_folder(monkeypatch, tmp_path):
    """The collection helper finds nothing (rather than failing) when ../shared is absent."""
    monkeypatch.setattr(sys.modules[__name__], "FOLDERS", [tmp_path / "missing"])
    assert _documents() == []
