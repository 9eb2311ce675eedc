"""`clauses audit` end to end: the real console script on a generated archive of 200+ documents, on a Dask
LocalCluster with 2 workers; a run killed with SIGKILL half-way and resumed; Ctrl-C; an existing cluster.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_audit_corpus import Archive, make_archive

pd = pytest.importorskip("pandas")
pytest.importorskip("distributed")


def _clauses() -> list[str]:
    script = Path(sys.executable).with_name("clauses")
    found = str(script) if script.exists() else shutil.which("clauses")
    if found is None:
        pytest.skip("the `clauses` console script is not installed (pip install -e .)")
    return [found]


def audit_command(archive: Archive, out: Path, *extra: str) -> list[str]:
    return [*_clauses(), "audit", *archive.args, "--out", str(out), *extra]


def run_audit_cli(archive: Archive, out: Path, *extra: str, timeout: float = 150) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(audit_command(archive, out, *extra), capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=archive.root)


def journal_lines(out: Path) -> list[dict]:
    path = out / ".audit" / "journal.jsonl"
    if not path.exists():
        return []
    complete = path.read_bytes().decode("utf-8", "replace").split("\n")[:-1]  # the last piece may be torn
    return [json.loads(line) for line in complete]


def report_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix()[: -len(".json")] for p in out.rglob("*.json") if ".audit" not in p.parts}


def read_summary(out: Path) -> dict[str, dict]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return {row["path"]: row for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    return make_archive(tmp_path_factory.mktemp("audit"))


@pytest.fixture(scope="module")
def full_run(archive) -> tuple[Path, subprocess.CompletedProcess, float]:
    out = archive.root / "out-full"
    started = time.monotonic()
    result = run_audit_cli(archive, out, "--workers", "2")
    return out, result, time.monotonic() - started


# --------------------------------------------------------------------------- one full audit


def test_audit_exits_0_with_progress_and_no_traceback(full_run, archive):
    out, result, seconds = full_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{len(archive.documents)}/{len(archive.documents)} documents" in result.stderr
    assert "docs/s" in result.stderr and "ETA" in result.stderr and "failed" in result.stderr
    assert len(archive.documents) >= 200
    assert seconds < 120, f"the audit took {seconds:.0f} s"


def test_audit_writes_one_report_per_analyzed_document_mirroring_paths(full_run, archive):
    out, result, _ = full_run
    assert report_files(out) == archive.ok
    assert (out / "bundle.zip" / "2023" / "q2" / "zipped-001.docx.json").exists()  # zip member under the zip
    report = json.loads((out / "contracts/pdf/doc-0004.pdf.json").read_text(encoding="utf-8"))
    assert report["document"]["file_name"] == "doc-0004.pdf" and report["document"]["format"] == "pdf"
    assert report["clauses"] and report["text"][report["clauses"][0]["start"]:report["clauses"][0]["end"]]


def test_audit_summary_has_one_row_per_document(full_run, archive):
    out, _, _ = full_run
    rows = read_summary(out)
    assert set(rows) == archive.documents
    for path in archive.ok:
        row = rows[path]
        assert row["status"] == "ok" and not row["error"], row
        assert len(row["sha256"]) == 64 and row["doc_type"] and row["playbook"]
        assert 0 <= float(row["completeness"]) <= 100
        assert int(row["findings_high"]) >= 0 and int(row["missing_high_count"]) == len(
            [s for s in row["missing_high_sections"].split(";") if s])
    assert int(rows["contracts/pdf/doc-0004.pdf"]["pages"]) >= 1
    for column in ("notice_period_days", "response_time_hours", "availability_pct", "credit_cap_pct"):
        assert any(rows[p][column] for p in archive.ok), column
    availability = {float(rows[p]["availability_pct"]) for p in archive.ok if rows[p]["availability_pct"]}
    assert availability <= {99.5, 99.9, 99.95, 98.0}


def test_audit_failures_are_rows_with_one_line_errors(full_run, archive):
    out, _, _ = full_run
    rows = read_summary(out)
    for path, word in archive.failed.items():
        row = rows[path]
        assert row["status"] == "failed", row
        assert row["error"] and "\n" not in row["error"] and word in row["error"].lower(), row["error"]
        assert not (out / f"{path}.json").exists()
    assert "zip bomb" in rows["bad/bomb.zip"]["error"]
    assert not any(p.endswith((".xlsx", ".json", "ignored.txt", ".DS_Store")) for p in rows)


def test_audit_duplicates_are_analyzed_once_and_copied(full_run, archive):
    out, _, _ = full_run
    rows = read_summary(out)
    analyzed = [e for e in journal_lines(out) if e["status"] == "ok" and not e["duplicate_of"]]
    assert len(analyzed) == len(archive.ok) - len(archive.duplicates)
    for copy, original in archive.duplicates.items():
        assert rows[copy]["duplicate_of"] == original
        assert rows[copy]["sha256"] == rows[original]["sha256"]
        a = json.loads((out / f"{copy}.json").read_text(encoding="utf-8"))
        b = json.loads((out / f"{original}.json").read_text(encoding="utf-8"))
        assert a["document"]["file_name"] == Path(copy).name
        a["document"]["file_name"] = b["document"]["file_name"]
        assert a == b


def test_audit_parquet_matches_csv(full_run):
    out, _, _ = full_run
    frame = pd.read_parquet(out / "summary.parquet")
    table = pd.read_csv(out / "summary.csv")
    assert list(frame.columns) == list(table.columns)
    assert sorted(frame["path"]) == sorted(table["path"])
    assert str(frame["completeness"].dtype) == "float64" and str(frame["findings_high"].dtype) == "Int64"
    assert any(c.startswith("has_") for c in frame.columns)


def test_audit_findings_and_targets_tables_match_reports(full_run, archive):
    out, _, _ = full_run
    findings = pd.read_csv(out / "findings.csv")
    targets = pd.read_csv(out / "targets.csv")
    assert set(findings["path"]) <= archive.ok and set(targets["path"]) <= archive.ok
    sample = "contracts/docx/doc-0001.docx"
    report = json.loads((out / f"{sample}.json").read_text(encoding="utf-8"))
    assert (findings["path"] == sample).sum() == len(report["findings"])
    assert (targets["path"] == sample).sum() == len(report["targets"])
    assert {"rule", "severity", "message"} <= set(findings.columns)
    assert {"metric", "value", "unit", "text"} <= set(targets.columns)
    summary = read_summary(out)
    assert (findings["severity"] == "high").sum() == sum(int(r["findings_high"] or 0) for r in summary.values())


def test_audit_dashboard_is_self_contained(full_run, archive):
    out, _, _ = full_run
    html = (out / "dashboard.html").read_text(encoding="utf-8")
    lowered = html.lower()
    for forbidden in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert forbidden not in lowered, forbidden
    assert "<svg" in html and "<style>" in html
    assert "Coverage: documents x sections" in html and "Worst documents" in html
    assert "Availability (%)" in html and "Notice period (days)" in html
    assert f"Failures ({len(archive.failed)})" in html and "bad/bomb.zip" in html and "zip bomb refused" in html
    assert "contracts/pdf/doc-0004.pdf" in html


def test_audit_journal_has_one_entry_per_document(full_run, archive):
    out, _, _ = full_run
    paths = [e["path"] for e in journal_lines(out)]
    assert sorted(paths) == sorted(archive.documents)


def test_audit_rerun_on_same_folder_skips_everything(full_run, archive):
    out, _, _ = full_run
    before = (out / ".audit" / "journal.jsonl").read_bytes()
    result = run_audit_cli(archive, out)
    assert result.returncode == 0, result.stderr
    assert (out / ".audit" / "journal.jsonl").read_bytes() == before
    assert f"{len(archive.documents)} done before" in result.stderr
    assert set(read_summary(out)) == archive.documents


# --------------------------------------------------------------------------- killed, then resumed


def _kill_when(out: Path, proc: subprocess.Popen, minimum: int, deadline: float = 120) -> int:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the audit ended before it could be killed: {proc.stderr.read()}")
        entries = len(journal_lines(out))
        if entries >= minimum:
            os.killpg(proc.pid, signal.SIGKILL)  # the client, its workers and their analysis processes
            proc.wait()
            return entries
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the journal never filled")


def test_audit_killed_half_way_then_resumed_loses_nothing_and_repeats_nothing(archive, full_run):
    out = archive.root / "out-killed"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(audit_command(archive, out, "--workers", "2"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    killed_at = _kill_when(out, proc, minimum=60)
    assert killed_at < len(archive.documents)
    first = journal_lines(out)
    assert not (out / "summary.csv").exists()

    result = run_audit_cli(archive, out, "--workers", "2", "--resume")
    assert result.returncode == 0, result.stderr
    second = journal_lines(out)
    paths = [e["path"] for e in second]
    assert len(paths) == len(set(paths)), "a document was recorded twice"
    assert set(paths) == archive.documents
    assert [e["path"] for e in second[: len(first)]] == [e["path"] for e in first]
    assert f"{len(first)} done before" in result.stderr
    assert report_files(out) == archive.ok
    assert not any((out / ".audit" / "tmp").iterdir())

    full_out = full_run[0]
    for path in archive.ok:
        mine = json.loads((out / f"{path}.json").read_text(encoding="utf-8"))
        theirs = json.loads((full_out / f"{path}.json").read_text(encoding="utf-8"))
        assert mine == theirs, path
    ignore = {"seconds"}
    resumed, full = read_summary(out), read_summary(full_out)
    assert set(resumed) == set(full)
    for path, row in resumed.items():
        assert {k: v for k, v in row.items() if k not in ignore} == {
            k: v for k, v in full[path].items() if k not in ignore}, path


# --------------------------------------------------------------------------- Ctrl-C, usage errors, a cluster


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Archive:
    return make_archive(tmp_path_factory.mktemp("small"), n_plain=24, n_zipped=0, duplicates=2, broken=False)


def test_audit_ctrl_c_stops_cleanly_and_resumes(small_archive):
    out = small_archive.root / "out-interrupted"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(audit_command(small_archive, out, "--workers", "1"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    started = time.monotonic()
    while len(journal_lines(out)) < 3 and time.monotonic() - started < 90 and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
    try:
        stderr = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    entries = journal_lines(out)
    assert all(e["status"] == "ok" for e in entries), [e["error"] for e in entries]
    assert len({e["path"] for e in entries}) == len(entries) < len(small_archive.documents)
    result = run_audit_cli(small_archive, out, "--workers", "1", "--resume")
    assert result.returncode == 0, result.stderr
    assert sorted(e["path"] for e in journal_lines(out)) == sorted(small_archive.documents)
    assert report_files(out) == small_archive.ok


def test_audit_on_an_existing_scheduler(small_archive):
    from distributed import LocalCluster

    out = small_archive.root / "out-scheduler"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_audit_cli(small_archive, out, "--scheduler", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert report_files(out) == small_archive.ok
    assert set(read_summary(out)) == small_archive.documents


@pytest.mark.parametrize("argv, message", [
    (["audit", "{root}/nowhere", "--out", "{root}/o"], "no such file or folder"),
    (["audit", "{root}/extra", "--out", "{root}/o", "--playbook", "no-such-playbook"], "no such playbook"),
    (["audit", "{root}/extra", "--out", "{root}/o", "--workers", "0"], "--workers"),
    (["audit", "{root}/extra/*.none", "--out", "{root}/o"], "no documents found"),
    (["audit", "{root}/extra", "--out", "{root}/extra/extra-0.md"], "must be a folder"),
    (["audit", "{root}/extra"], "--out"),
])
def test_audit_usage_errors_exit_2(small_archive, capsys, argv, message):
    from analyzer.cli import main

    argv = [a.format(root=small_archive.root) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err
