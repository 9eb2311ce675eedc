"""What flows between the audit's parts: work items, outcomes, per-document facts, journal entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

# The headline value of a few metrics, as (column, metric, pick, scale from the normalized value).
# Durations are normalized to seconds and shares to fractions by the extractor.
KEY_TARGETS: list[tuple[str, str, str, float]] = [
    ("notice_period_days", "notice_period", "max", 1 / 86400),
    ("response_time_hours", "response_time", "min", 1 / 3600),
    ("resolution_time_hours", "resolution_time", "min", 1 / 3600),
    ("availability_pct", "availability", "max", 100.0),
    ("credit_cap_pct", "credit_cap", "max", 100.0),
]


class DocFacts(BaseModel):
    """The summary of one report: computed where the report is made, kept in the journal."""

    sha256: str
    format: str
    doc_type: str | None = None
    playbook: str | None = None
    pages: int = 0
    characters: int = 0
    clauses: int = 0
    targets: int = 0
    completeness: float | None = None
    missing_high: list[str] = Field(default_factory=list, description="high-severity section rules that failed")
    findings: dict[str, int] = Field(default_factory=dict, description="finding counts by severity")
    coverage: dict[str, bool] = Field(default_factory=dict)
    key_targets: dict[str, float | None] = Field(default_factory=dict)
    warnings: int = 0


@dataclass(frozen=True)
class PlaybookSpec:
    """The playbook of a run, in a form a remote worker can use: a built-in name or a YAML file's text."""

    name: str | None = None  # built-in playbook name; None with no text = chosen per document
    text: str | None = None  # YAML of a playbook file
    label: str = "auto"  # what the journal records (name, or file name + content hash)


@dataclass
class WorkItem:
    path: str  # the document's id (relative path)
    name: str  # file name the analyzer sees (decides the claimed format)
    data: bytes


@dataclass
class Outcome:
    path: str
    ok: bool
    report_json: str | None = None
    facts: DocFacts | None = None
    error: str | None = None
    seconds: float = 0.0


Status = Literal["ok", "failed"]


class JournalEntry(BaseModel):
    """One finished document. Appended to the journal once its report (if any) is on disk."""

    path: str
    status: Status
    error: str | None = None
    fingerprint: str = Field(description="size/mtime of a file or CRC/size of a zip member: changes redo it")
    sha256: str | None = None
    suffix: str = ""
    version: str
    playbook: str
    report: str | None = Field(default=None, description="report file, relative to the output folder")
    report_bytes: int | None = Field(default=None, description="its size: a resume redoes a report that differs")
    duplicate_of: str | None = None
    seconds: float = 0.0
    facts: DocFacts | None = None
    finished: str = ""
