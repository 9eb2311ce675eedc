"""What an audit still has to do, given its inputs and the journal of earlier runs in the same folder.

A document is done when the journal's latest entry for it has this analyzer version and playbook, the
same file fingerprint, and (for a success) its report on disk at the recorded size. Finished outcomes
are also known by content, so a changed path with the same bytes is copied, not analyzed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.audit.models import JournalEntry
from analyzer.audit.sources import Source

Key = tuple[str, str]  # (sha256, file name suffix): the same bytes under the same claimed format


@dataclass
class Plan:
    todo: list[Source] = field(default_factory=list)
    known: dict[Key, JournalEntry] = field(default_factory=dict)  # finished outcomes by content
    done_before: int = 0
    earlier: int = 0  # journal entries for this version and playbook


def latest(entries: list[JournalEntry], version: str, playbook: str) -> dict[str, JournalEntry]:
    """The latest entry of each document for this analyzer version and playbook."""
    return {e.path: e for e in entries if e.version == version and e.playbook == playbook}


def intact(out: Path, entry: JournalEntry) -> bool:
    """A failure stands as recorded; a success needs its report, whole (the size the journal says)."""
    if entry.status != "ok":
        return True
    if entry.report is None:
        return False
    try:
        size = (out / entry.report).stat().st_size
    except OSError:
        return False
    return entry.report_bytes is None or size == entry.report_bytes


def make_plan(sources: list[Source], entries: list[JournalEntry], version: str, playbook: str, out: Path) -> Plan:
    earlier = latest(entries, version, playbook)
    usable = {path: e for path, e in earlier.items() if intact(out, e)}
    plan = Plan(earlier=len(earlier))
    plan.known = {(e.sha256, e.suffix): e for e in usable.values() if e.sha256}
    for source in sources:
        entry = usable.get(source.path)
        if entry is not None and entry.fingerprint == source.fingerprint:
            plan.done_before += 1
        else:
            plan.todo.append(source)
    return plan
