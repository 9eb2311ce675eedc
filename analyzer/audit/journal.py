"""The append-only journal of finished documents: `DIR/.audit/journal.jsonl`, one JSON line each.

Each line is written (flushed to the OS) as its document is recorded, so a killed process loses nothing
recorded; `sync` fsyncs the lines so far, once per batch of results (group commit), and closing syncs.
A run killed at any moment leaves at most one torn last line, which is cut off when the journal is opened
again. A lock file keeps two audits from writing to one folder at once.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pydantic import ValidationError

from analyzer.audit.models import JournalEntry

STATE_DIR = ".audit"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "lock"


class JournalLockedError(Exception):
    pass


class Journal:
    def __init__(self, out_dir: Path) -> None:
        self.state_dir = out_dir / STATE_DIR
        self.path = self.state_dir / JOURNAL_FILE
        self._lock_fd: int | None = None
        self._fh = None

    def __enter__(self) -> Journal:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalLockedError(f"another audit is writing to {self.state_dir.parent}") from None
        self._lock_fd = fd
        self._cut_torn_tail()
        self._fh = open(self.path, "ab")  # noqa: SIM115 - held open for the run

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    def entries(self) -> list[JournalEntry]:
        """Every complete entry, oldest first (lines that do not parse are ignored)."""
        return read_entries(self.path)

    def append(self, entry: JournalEntry) -> None:
        assert self._fh is not None, "journal is not open"
        self._fh.write(entry.model_dump_json().encode("utf-8") + b"\n")
        self._fh.flush()

    def sync(self) -> None:
        """Make every line appended so far durable (fsync)."""
        if self._fh is not None:
            os.fsync(self._fh.fileno())

    def _cut_torn_tail(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb+") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                fh.truncate(data.rfind(b"\n") + 1)
                fh.flush()
                os.fsync(fh.fileno())


def read_entries(path: Path) -> list[JournalEntry]:
    if not path.exists():
        return []
    out = []
    with open(path, "rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break  # torn by a kill
            try:
                out.append(JournalEntry.model_validate_json(line))
            except ValidationError:
                continue
    return out
