"""The audit's parts on their own: inputs and zips, the journal, the worker's time limit, facts, tables,
the dashboard, and resuming keyed by analyzer version, playbook and file content."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import zipfile
from pathlib import Path

import pytest
from test_audit_corpus import contract_text

from analyzer.audit.journal import Journal, JournalLockedError, read_entries
from analyzer.audit.models import DocFacts, JournalEntry, PlaybookSpec, WorkItem
from analyzer.audit.sources import SourceReader, ZipLimits, enumerate_sources, safe_member_path

TEXT = contract_text(11).encode()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# --------------------------------------------------------------------------- sources


@pytest.mark.parametrize("name, expected", [
    ("a/b.pdf", "a/b.pdf"), ("../../etc/x.txt", "etc/x.txt"), ("/abs/x.md", "abs/x.md"),
    ("C:\\docs\\y.txt", "docs/y.txt"), ("./", None), ("..", None),
])
def test_zip_member_names_cannot_escape_their_folder(name, expected):
    assert safe_member_path(name) == expected


def test_folders_zips_and_globs_mirror_relative_paths(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "a.txt").write_bytes(TEXT)
    (tmp_path / "in" / "b.md").write_bytes(TEXT)
    (tmp_path / "in" / "skip.json").write_text("{}")
    (tmp_path / "in" / "~$lock.docx").write_bytes(b"x")
    _zip(tmp_path / "in" / "pack.zip", {"dir/": b"", "dir/c.txt": TEXT, "../evil.txt": TEXT, "x.png": b"p",
                                        "inner.zip": b"PK"})
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "d.txt").write_bytes(TEXT)
    out = tmp_path / "in" / "out"  # an output folder inside the input is never read back
    out.mkdir()
    (out / "old.txt").write_bytes(TEXT)
    inventory = enumerate_sources([str(tmp_path / "in"), str(tmp_path / "g" / "*.txt"),
                                   str(tmp_path / "in" / "b.md")], exclude=out)
    assert [s.path for s in inventory.sources] == ["b.md", "pack.zip/dir/c.txt", "pack.zip/evil.txt", "sub/a.txt",
                                                   "d.txt"]
    assert inventory.skipped == 3  # skip.json, x.png, inner.zip
    assert not inventory.unmatched
    member = inventory.sources[1]
    assert member.member == "dir/c.txt" and member.fingerprint.startswith("zip:")
    assert SourceReader().read(member) == TEXT
    assert not (tmp_path / "in" / "pack.zip" / "dir").exists()  # nothing extracted


def test_colliding_paths_from_two_inputs_are_renamed(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_bytes(TEXT + folder.encode())
    inventory = enumerate_sources([str(tmp_path / "x"), str(tmp_path / "y"), str(tmp_path / "none-*.txt")])
    assert [s.path for s in inventory.sources] == ["same.txt", "same~2.txt"]
    assert inventory.renamed == ["same.txt -> same~2.txt"]
    assert inventory.unmatched == [str(tmp_path / "none-*.txt")]


@pytest.mark.parametrize("limits, members, reason", [
    (ZipLimits(max_entries=3), {f"{i}.txt": TEXT for i in range(5)}, "5 entries"),
    (ZipLimits(max_total_bytes=len(TEXT) * 2), {f"{i}.txt": TEXT for i in range(3)}, "bytes uncompressed"),
    (ZipLimits(), {"zeros.txt": b"\0" * (4 * 1024 * 1024)}, "compression ratio"),
])
def test_zip_bombs_are_one_failed_source(tmp_path, limits, members, reason):
    _zip(tmp_path / "bomb.zip", members)
    inventory = enumerate_sources([str(tmp_path / "bomb.zip")], limits=limits)
    [source] = inventory.sources
    assert source.path == "bomb.zip" and "zip bomb refused" in source.error and reason in source.error


def test_oversized_member_and_corrupt_zip_fail_alone(tmp_path):
    _zip(tmp_path / "a.zip", {"big.txt": TEXT * 4, "ok.txt": TEXT})
    (tmp_path / "b.zip").write_bytes(b"PK\x03\x04 not really")
    inventory = enumerate_sources([str(tmp_path)], limits=ZipLimits(max_member_bytes=len(TEXT) * 2))
    errors = {s.path: s.error for s in inventory.sources}
    assert errors["a.zip/ok.txt"] is None
    assert "limit" in errors["a.zip/big.txt"]
    assert errors["b.zip"].startswith("corrupt zip archive")


# --------------------------------------------------------------------------- journal


def _entry(path: str, **kw) -> JournalEntry:
    return JournalEntry(path=path, status=kw.pop("status", "ok"), fingerprint="f", version="1", playbook="auto", **kw)


def test_journal_survives_a_torn_last_line_and_is_locked(tmp_path):
    with Journal(tmp_path) as journal:
        journal.append(_entry("a.txt"))
        journal.append(_entry("b.txt", status="failed", error="bad"))
        with pytest.raises(JournalLockedError):
            Journal(tmp_path).open()
    path = tmp_path / ".audit" / "journal.jsonl"
    with open(path, "ab") as fh:
        fh.write(b'{"path": "c.txt", "sta')  # killed mid-write
    assert [e.path for e in read_entries(path)] == ["a.txt", "b.txt"]
    with Journal(tmp_path) as journal:
        journal.append(_entry("d.txt"))
        assert [e.path for e in journal.entries()] == ["a.txt", "b.txt", "d.txt"]
    assert path.read_bytes().endswith(b"}\n")


# --------------------------------------------------------------------------- worker: time limit, crashes


def test_worker_times_out_a_pathological_document_and_carries_on():
    from analyzer.audit import worker

    huge = (TEXT + b"\n\n") * 400  # tens of seconds of analysis
    items = [WorkItem("x.pdf", "x.pdf", b"%PDF-1.4 junk"), WorkItem("huge.txt", "huge.txt", huge),
             WorkItem("small.txt", "small.txt", TEXT)]
    bad, slow, fine = worker.analyze_batch(items, PlaybookSpec(), timeout=1.5)
    assert not bad.ok and "\n" not in bad.error and "PDF" in bad.error
    assert not slow.ok and slow.error == "timed out after 1.5 s"
    assert fine.ok and fine.facts.format == "txt" and json.loads(fine.report_json)["document"]["file_name"] == \
        "small.txt"

    [process] = worker._idle  # the analysis process started after the time-out, kept for the next task
    killer = threading.Timer(1.0, lambda: os.kill(process.proc.pid, signal.SIGKILL))
    killer.start()
    [died] = worker.analyze_batch([WorkItem("huge.txt", "huge.txt", huge)], PlaybookSpec(), timeout=60)
    killer.join()
    assert not died.ok and died.error.startswith("the analysis process died (signal SIGKILL")
    assert worker._idle == []


def test_worker_without_time_limit_analyzes_in_process():
    from analyzer.audit import analysis, worker

    [outcome] = worker.analyze_batch([WorkItem("a.md", "a.md", TEXT)], PlaybookSpec(name="dpa", label="dpa"), 0)
    assert outcome.ok and outcome.facts.playbook == "dpa"
    assert analysis.analyzer() is analysis.analyzer()  # one analyzer per process
    builtin = Path(__file__).resolve().parents[1] / "analyzer" / "playbooks" / "saas-sla.yaml"
    text = builtin.read_text(encoding="utf-8").replace("id: saas-sla", "id: shipped-as-text")
    [custom] = worker.analyze_batch([WorkItem("a.md", "a.md", TEXT)], PlaybookSpec(text=text, label="x"), 0)
    assert custom.ok and custom.facts.playbook == "shipped-as-text"  # a remote worker needs no copy of the file


def test_a_playbook_sent_as_text_leaves_no_file_behind(tmp_path):
    """The local copy of a playbook sent as text lives in one folder that goes with the process."""
    import subprocess
    import sys

    script = (
        "from analyzer.audit.analysis import playbook_arg\n"
        "from analyzer.audit.models import PlaybookSpec\n"
        "from pathlib import Path\n"
        "a = playbook_arg(PlaybookSpec(text='id: one', label='x'))\n"
        "b = playbook_arg(PlaybookSpec(text='id: two', label='x'))\n"
        "assert Path(a).parent == Path(b).parent and Path(a).read_text() == 'id: one'\n"
        "print(Path(a).parent)\n"
    )
    folder = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**os.environ, "TMPDIR": str(tmp_path)}).stdout.strip()
    assert folder.startswith(str(tmp_path)) and not Path(folder).exists()


# --------------------------------------------------------------------------- facts, tables, dashboard


def test_facts_pick_the_headline_value_of_each_key_target():
    from analyzer import analyze
    from analyzer.audit.facts import facts_of
    from analyzer.checks import load_playbook

    text = (b"1. SERVICE LEVELS\n\n1.1 The Supplier shall respond to Priority 1 incidents within 30 minutes.\n\n"
            b"1.2 The Supplier shall respond to Priority 2 incidents within 4 hours.\n\n"
            b"1.3 Either party may terminate for convenience by giving not less than 90 days written notice.\n\n"
            b"1.4 The Service shall be available at least 99.9% of each calendar month.\n")
    report = analyze(text, file_name="a.txt", playbook="saas-sla")
    facts = facts_of(report, load_playbook("saas-sla"))
    assert facts.key_targets["response_time_hours"] == 0.5
    assert facts.key_targets["notice_period_days"] == 90
    assert facts.key_targets["availability_pct"] == 99.9
    assert facts.key_targets["credit_cap_pct"] is None
    assert set(facts.missing_high) <= {r.id for r in load_playbook("saas-sla").rules if r.severity == "high"}
    assert sum(facts.findings.values()) == len(report.findings)


def test_tables_and_dashboard_escape_and_type_everything(tmp_path):
    import pandas as pd

    from analyzer.audit.dashboard import render_dashboard
    from analyzer.audit.outputs import summary_rows, write_outputs

    facts = DocFacts(sha256="0" * 64, format="txt", completeness=40.0, missing_high=["scope.defined"],
                     findings={"high": 1}, coverage={"termination": True, "scope_of_services": False},
                     key_targets={"availability_pct": 99.5})
    (tmp_path / "a.txt.json").write_text(json.dumps({"findings": [{"rule": "r", "severity": "high"}],
                                                     "targets": []}))
    entries = [_entry("a.txt", report="a.txt.json", facts=facts),
               _entry("<script>alert(1)</script>.txt", status="failed", error="bad <b>bytes</b>")]
    write_outputs(tmp_path, entries)
    frame = pd.read_parquet(tmp_path / "summary.parquet")
    assert list(frame["path"]) == ["a.txt", "<script>alert(1)</script>.txt"]
    assert frame["has_termination"].tolist()[0] is True and pd.isna(frame["has_termination"][1])
    assert pd.read_csv(tmp_path / "findings.csv")["path"].tolist() == ["a.txt"]
    html = render_dashboard(summary_rows(entries))
    assert "<script>" not in html and "&lt;script&gt;" in html and "bad &lt;b&gt;bytes&lt;/b&gt;" in html
    assert "http" not in html.replace("http-equiv", "")
    assert render_dashboard([]).startswith("<!DOCTYPE html>")


def test_progress_reports_rate_eta_and_failures():
    from analyzer.audit.progress import Progress

    stream = io.StringIO()
    progress = Progress(10, skipped=5, stream=stream)
    progress.advance(failed=True)
    assert progress.line() == "audit: 1/10 documents, 5 done before, - docs/s, ETA ?, 1 failed"
    progress._samples[0] = (progress._samples[0][0] - 4.0, 0)  # the first outcome came 4 s ago
    for _ in range(3):
        progress.advance(failed=False)
    assert progress.line() == "audit: 4/10 documents, 5 done before, 1.0 docs/s, ETA 6s, 1 failed"
    progress.finish()
    assert stream.getvalue().splitlines()[-1].startswith("audit: 4/10 documents, 5 done before,")


# --------------------------------------------------------------------------- resume keys


def test_rerun_redoes_only_changed_files_and_other_playbooks(tmp_path):
    from analyzer import __version__
    from analyzer.audit.plan import make_plan
    from analyzer.audit.runner import AuditConfig, playbook_spec, run_audit

    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"c{i}.txt").write_bytes(contract_text(20 + i).encode())
    custom = tmp_path / "mine.yaml"
    builtin = Path(__file__).resolve().parents[1] / "analyzer" / "playbooks" / "dpa.yaml"
    custom.write_text(builtin.read_text(encoding="utf-8").replace("id: dpa", "id: my-dpa"), encoding="utf-8")
    out = tmp_path / "out"
    first = run_audit(AuditConfig([str(tmp_path / "in")], out, playbook=str(custom), workers=1, timeout=0,
                                  quiet=True))
    assert (first.analyzed, first.documents, first.failed) == (3, 3, 0)
    assert {e.facts.playbook for e in first.entries} == {"my-dpa"}
    label = playbook_spec(str(custom)).label
    assert label.startswith("my-dpa@") and {e.playbook for e in first.entries} == {label}

    def plan(playbook_label: str):
        sources = enumerate_sources([str(tmp_path / "in")]).sources
        return make_plan(sources, read_entries(out / ".audit" / "journal.jsonl"), __version__, playbook_label, out)

    assert plan(label).todo == [] and plan(label).done_before == 3
    os.utime(tmp_path / "in" / "c0.txt", ns=(1, 1))  # touched, same bytes: copied from its old outcome
    with open(tmp_path / "in" / "c1.txt", "ab") as fh:  # edited: analyzed again
        fh.write(b"\n9. NOTICES\n\n9.1 Notices shall be given in writing.\n")
    (out / "c2.txt.json").write_text("{}")  # a damaged report: redone
    again = plan(label)
    assert [s.path for s in again.todo] == ["c0.txt", "c1.txt", "c2.txt"]
    sha0 = next(e.sha256 for e in first.entries if e.path == "c0.txt")
    assert (sha0, ".txt") in again.known
    assert len(plan("service-agreement").todo) == 3 and not plan("service-agreement").known
    assert len(plan(label.replace("@", "@0")).todo) == 3  # the playbook file changed
