"""The CLI's other commands, run as a user would: --fail-on gate, targets, playbooks, schema."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "samples" / "harbor-contact-centre-sla.md"


def _clauses(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *args], capture_output=True, text=True, timeout=180)


def test_cli_fail_on_gates_on_severity(tmp_path):
    tripped = _clauses("analyze", str(SAMPLE), "--fail-on", "high", "--out", str(tmp_path))
    assert tripped.returncode == 1
    assert "--fail-on" in tripped.stderr and "Traceback" not in tripped.stderr
    assert (tmp_path / f"{SAMPLE.name}.json").exists()  # the report is still written
    clean = tmp_path / "clean.md"
    clean.write_text("# Note\n\nThe parties met on Tuesday.\n")
    passed = _clauses("analyze", str(clean), "--playbook", str(_only_placeholder_rule(tmp_path)),
                      "--fail-on", "low", "--out", str(tmp_path))
    assert passed.returncode == 0, passed.stderr


def _only_placeholder_rule(tmp_path: Path) -> Path:
    from importlib import resources

    import yaml

    data = yaml.safe_load(resources.files("analyzer.playbooks").joinpath("saas-sla.yaml").read_text())
    data["rules"] = [r for r in data["rules"] if r["id"] == "placeholder.unfilled"]
    path = tmp_path / "only-blanks.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_cli_targets_formats():
    table = _clauses("targets", str(SAMPLE))
    assert table.returncode == 0 and "service_level" in table.stdout
    rows = list(csv.DictReader(io.StringIO(_clauses("targets", str(SAMPLE), "--format", "csv").stdout)))
    assert {"metric", "value", "unit", "start", "end"} <= set(rows[0])
    assert any(r["metric"] == "abandonment_rate" and r["value"] == "5.0" for r in rows)
    lines = _clauses("targets", str(SAMPLE), "--format", "json").stdout.splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["file"] == str(SAMPLE)


def test_cli_playbooks_and_schema():
    listed = _clauses("playbooks")
    assert listed.returncode == 0
    assert {"service-agreement", "customer-service-sla", "saas-sla", "dpa"} <= {
        line.split()[0] for line in listed.stdout.splitlines()}
    schema = json.loads(_clauses("schema").stdout)
    assert schema["title"] == "Report" and "clauses" in schema["properties"]


def test_cli_html_and_docx_need_no_network(tmp_path):
    result = _clauses("analyze", str(SAMPLE), "--format", "html", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / f"{SAMPLE.name}.html").read_text()
    assert "<html" in html and "https://" not in html
    refused = _clauses("analyze", str(SAMPLE), "--format", "docx")
    assert refused.returncode == 2 and "--out" in refused.stderr
