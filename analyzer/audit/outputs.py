"""The audit's tables: `summary.csv` + `summary.parquet` (one row per document), `findings.csv`, `targets.csv`.

Summary rows come from the journal (each entry carries its document's facts); findings and targets are
read back from the report files, one document at a time.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from analyzer.audit.models import KEY_TARGETS, JournalEntry

SEVERITIES = ("high", "medium", "low")
KEY_COLUMNS = [column for column, *_ in KEY_TARGETS]
SUMMARY_COLUMNS = [
    "path", "status", "error", "sha256", "format", "doc_type", "playbook", "pages", "characters", "clauses",
    "targets", "completeness", "missing_high_count", "missing_high_sections",
    *(f"findings_{s}" for s in SEVERITIES), *KEY_COLUMNS, "duplicate_of", "report", "seconds", "warnings",
]
INT_COLUMNS = ["pages", "characters", "clauses", "targets", "missing_high_count", "warnings",
               *(f"findings_{s}" for s in SEVERITIES)]
FLOAT_COLUMNS = ["completeness", "seconds", *KEY_COLUMNS]
FINDING_COLUMNS = ["path", "rule", "severity", "message", "clause_id", "start", "end", "text", "suggestion"]
TARGET_COLUMNS = ["path", "metric", "comparator", "value", "unit", "normalized", "share", "channel", "priority",
                  "period", "business_hours", "clause_id", "start", "end", "text"]


def coverage_labels(entries: list[JournalEntry]) -> list[str]:
    return sorted({label for e in entries if e.facts for label in e.facts.coverage})


def summary_row(entry: JournalEntry, labels: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(path=entry.path, status=entry.status, error=entry.error, sha256=entry.sha256,
               duplicate_of=entry.duplicate_of, report=entry.report, seconds=entry.seconds)
    facts = entry.facts
    if facts is not None and entry.status == "ok":
        row.update(format=facts.format, doc_type=facts.doc_type, playbook=facts.playbook, pages=facts.pages,
                   characters=facts.characters, clauses=facts.clauses, targets=facts.targets,
                   completeness=facts.completeness, missing_high_count=len(facts.missing_high),
                   missing_high_sections=";".join(facts.missing_high), warnings=facts.warnings)
        row.update({f"findings_{s}": facts.findings.get(s, 0) for s in SEVERITIES})
        row.update({c: facts.key_targets.get(c) for c in KEY_COLUMNS})
    for label in labels:
        row[f"has_{label}"] = facts.coverage.get(label) if facts is not None and entry.status == "ok" else None
    return row


def summary_rows(entries: list[JournalEntry]) -> list[dict[str, Any]]:
    labels = coverage_labels(entries)
    return [summary_row(e, labels) for e in entries]


def write_outputs(out_dir: Path, entries: list[JournalEntry]) -> list[Path]:
    """Write every table; returns their paths."""
    rows = summary_rows(entries)
    written = [_write_summary(out_dir, rows)]
    written.append(out_dir / "summary.parquet")
    written += _write_details(out_dir, entries)
    return written


def _atomic(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def _write_summary(out_dir: Path, rows: list[dict[str, Any]]) -> Path:
    import pandas as pd

    columns = list(rows[0]) if rows else SUMMARY_COLUMNS
    frame = pd.DataFrame(rows, columns=columns)
    for column in INT_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    for column in FLOAT_COLUMNS:
        frame[column] = frame[column].astype("float64")
    for column in columns:
        if column.startswith("has_"):
            frame[column] = frame[column].astype("boolean")
        elif column not in INT_COLUMNS and column not in FLOAT_COLUMNS:
            frame[column] = frame[column].astype("string")
    csv_path, parquet_path = out_dir / "summary.csv", out_dir / "summary.parquet"
    frame.to_csv(_atomic(csv_path), index=False)
    frame.to_parquet(_atomic(parquet_path), index=False, engine="pyarrow")
    os.replace(_atomic(csv_path), csv_path)
    os.replace(_atomic(parquet_path), parquet_path)
    return csv_path


def _write_details(out_dir: Path, entries: list[JournalEntry]) -> list[Path]:
    findings_path, targets_path = out_dir / "findings.csv", out_dir / "targets.csv"
    with open(_atomic(findings_path), "w", newline="", encoding="utf-8") as f_fh, \
            open(_atomic(targets_path), "w", newline="", encoding="utf-8") as t_fh:
        findings = csv.DictWriter(f_fh, FINDING_COLUMNS, extrasaction="ignore")
        targets = csv.DictWriter(t_fh, TARGET_COLUMNS, extrasaction="ignore")
        findings.writeheader()
        targets.writeheader()
        for entry in entries:
            if entry.status != "ok" or entry.report is None:
                continue
            report = json.loads((out_dir / entry.report).read_text(encoding="utf-8"))
            findings.writerows({"path": entry.path, **f} for f in report.get("findings", []))
            targets.writerows({"path": entry.path, **t} for t in report.get("targets", []))
    os.replace(_atomic(findings_path), findings_path)
    os.replace(_atomic(targets_path), targets_path)
    return [findings_path, targets_path]
