"""The real `clauses` console script, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import build_contract_pdf, build_encrypted_pdf
from test_service_support import clauses_command

MARKDOWN = """# Service Agreement

## 1. Services

1.1 The Supplier shall provide the Services described in the Order Form with reasonable skill and care.

## 2. Fees

2.1 The Customer shall pay each undisputed invoice within thirty days of receipt.
"""
TEXT = """SUPPORT TERMS

1. Support

1.1 The Supplier shall respond to Priority 1 incidents within one hour, at any time of day.
"""

# Every run pays for importing the analyzer (seconds), so the module starts all its command
# lines at once in one workspace and each test inspects its own run.
COMMANDS: dict[str, tuple[str, ...]] = {
    "batch": ("analyze", "a.md", "b.txt", "sla.pdf", "sla.md", "--out", "reports"),
    "missing": ("analyze", "missing.pdf", "a.md", "--out", "reports-missing"),
    "unreadable": ("analyze", "locked.pdf", "empty.txt", "b.txt", "--out", "reports-unreadable"),
    "markdown": ("analyze", "a.md", "--format", "md"),
    "same-name": ("analyze", "d1/sla.md", "d2/sla.md", "--out", "reports-same-name"),
    "no-arguments": (),
    "several-files-without-out": ("analyze", "a.md", "b.txt"),
}


def run_clauses(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*clauses_command(), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _report(path: Path) -> dict:
    report = json.loads(path.read_text(encoding="utf-8"))
    for clause in report["clauses"]:
        assert report["text"][clause["start"]:clause["end"]] == clause["text"]
    return report


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> tuple[Path, dict[str, subprocess.CompletedProcess[str]]]:
    work = tmp_path_factory.mktemp("cli")
    (work / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (work / "b.txt").write_text(TEXT, encoding="utf-8")
    (work / "sla.md").write_text(MARKDOWN.replace("Service Agreement", "Service Level Agreement"), encoding="utf-8")
    build_contract_pdf(work / "sla.pdf")
    build_encrypted_pdf(work / "locked.pdf")
    (work / "empty.txt").write_bytes(b"")
    for folder in ("d1", "d2"):
        (work / folder).mkdir()
        (work / folder / "sla.md").write_text(MARKDOWN.replace("Service Agreement", folder), encoding="utf-8")
    with ThreadPoolExecutor(max_workers=len(COMMANDS)) as pool:
        futures = {name: pool.submit(run_clauses, *args, cwd=work) for name, args in COMMANDS.items()}
        return work, {name: future.result() for name, future in futures.items()}


def test_cli_analyze_writes_one_report_per_file(cli):
    work, runs = cli
    result = runs["batch"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (work / "reports").iterdir()) == [
        "a.md.json", "b.txt.json", "sla.md.json", "sla.pdf.json",
    ]
    a = _report(work / "reports" / "a.md.json")
    b = _report(work / "reports" / "b.txt.json")
    assert (a["document"]["file_name"], a["document"]["format"]) == ("a.md", "md")
    assert (b["document"]["file_name"], b["document"]["format"]) == ("b.txt", "txt")
    assert [c["number"] for c in a["clauses"]] == ["1.1", "2.1"]
    assert [c["number"] for c in b["clauses"]] == ["1.1"]


def test_cli_same_stem_different_formats_do_not_collide(cli):
    work, runs = cli
    assert runs["batch"].returncode == 0, runs["batch"].stderr
    pdf = _report(work / "reports" / "sla.pdf.json")
    md = _report(work / "reports" / "sla.md.json")
    assert (pdf["document"]["file_name"], pdf["document"]["format"], pdf["document"]["pages"]) == ("sla.pdf", "pdf", 5)
    assert (md["document"]["file_name"], md["document"]["format"]) == ("sla.md", "md")
    assert pdf["document"]["sha256"] != md["document"]["sha256"]


def test_cli_same_file_name_in_two_folders_do_not_collide(cli):
    work, runs = cli
    assert runs["same-name"].returncode == 0, runs["same-name"].stderr
    assert sorted(p.name for p in (work / "reports-same-name").iterdir()) == ["sla.md-2.json", "sla.md.json"]
    assert "same name" in runs["same-name"].stderr


def test_cli_missing_file_is_one_line_and_others_still_run(cli):
    work, runs = cli
    result = runs["missing"]
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "missing.pdf" in lines[0]
    assert "Traceback" not in result.stderr
    assert [p.name for p in (work / "reports-missing").iterdir()] == ["a.md.json"]


def test_cli_unreadable_documents_are_one_line_each(cli):
    work, runs = cli
    result = runs["unreadable"]
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "locked.pdf" in lines[0] and "encrypted" in lines[0]
    assert "empty.txt" in lines[1] and "empty" in lines[1].split("empty.txt", 1)[1]
    assert "Traceback" not in result.stderr
    assert [p.name for p in (work / "reports-unreadable").iterdir()] == ["b.txt.json"]


def test_cli_format_md_prints_markdown(cli):
    result = cli[1]["markdown"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# a.md")
    assert "| id | number |" in result.stdout
    assert "1.1 The Supplier shall provide the Services" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


@pytest.mark.parametrize("name", ["no-arguments", "several-files-without-out"])
def test_cli_usage_errors_exit_2(cli, name):
    result = cli[1][name]
    assert result.returncode == 2
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
