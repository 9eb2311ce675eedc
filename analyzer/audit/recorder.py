"""Record finished documents: the report file first (written whole, then renamed into place), then its
journal entry, which carries the report's size.

A document is done once its entry is in the journal and its report has that size; a kill between the
two steps leaves a report the next run rewrites. Ctrl-C is held back while one document is recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from analyzer.audit.journal import Journal
from analyzer.audit.models import DocFacts, JournalEntry, Outcome
from analyzer.audit.sources import Source

TMP_DIR = "tmp"


def report_name(path: str) -> str:
    """Where a document's report goes, relative to the output folder: `<relative path>.json`."""
    return f"{path}.json"


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT until the block is done (main thread only), then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


class Recorder:
    def __init__(self, out_dir: Path, journal: Journal, version: str, playbook: str,
                 on_record: Callable[[JournalEntry], None] | None = None) -> None:
        self.out_dir = out_dir
        self.journal = journal
        self.version = version
        self.playbook = playbook
        self.on_record = on_record
        self.tmp_dir = journal.state_dir / TMP_DIR
        shutil.rmtree(self.tmp_dir, ignore_errors=True)  # half-written reports of a killed run
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def analyzed(self, source: Source, sha256: str, outcome: Outcome) -> JournalEntry:
        if not outcome.ok or outcome.report_json is None:
            return self.failed(source, outcome.error or "analysis failed", sha256, outcome.seconds)
        with interrupts_deferred():
            report = report_name(source.path)
            size = self._write(report, outcome.report_json.encode("utf-8"))
            return self._append(source, "ok", sha256=sha256, report=report, report_bytes=size,
                                seconds=outcome.seconds, facts=outcome.facts)

    def failed(self, source: Source, error: str, sha256: str | None = None, seconds: float = 0.0,
               duplicate_of: str | None = None) -> JournalEntry:
        with interrupts_deferred():
            (self.out_dir / report_name(source.path)).unlink(missing_ok=True)  # left by an earlier run
            return self._append(source, "failed", error=error, sha256=sha256, seconds=seconds,
                                duplicate_of=duplicate_of)

    def duplicate(self, source: Source, sha256: str, original: JournalEntry) -> JournalEntry:
        """A copy of the original's outcome: its report under this document's path and name."""
        first = original.duplicate_of or original.path
        if original.status != "ok" or original.report is None:
            return self.failed(source, original.error or "analysis failed", sha256, duplicate_of=first)
        report = json.loads((self.out_dir / original.report).read_text(encoding="utf-8"))
        report["document"]["file_name"] = source.name
        with interrupts_deferred():
            name = report_name(source.path)
            size = self._write(name, json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8"))
            return self._append(source, "ok", sha256=sha256, report=name, report_bytes=size, duplicate_of=first,
                                facts=original.facts)

    def _write(self, relative: str, data: bytes) -> int:
        target = self.out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.tmp_dir / f"{os.getpid()}-{abs(hash(relative))}.json"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return len(data)

    def _append(self, source: Source, status: str, *, error: str | None = None, sha256: str | None = None,
                report: str | None = None, report_bytes: int | None = None, seconds: float = 0.0,
                duplicate_of: str | None = None, facts: DocFacts | None = None) -> JournalEntry:
        entry = JournalEntry(
            path=source.path, status=status, error=error, fingerprint=source.fingerprint, sha256=sha256,
            suffix=source.suffix, version=self.version, playbook=self.playbook, report=report,
            report_bytes=report_bytes, duplicate_of=duplicate_of, seconds=round(seconds, 4), facts=facts,
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.journal.append(entry)
        if self.on_record is not None:
            self.on_record(entry)
        return entry
