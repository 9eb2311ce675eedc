"""Batch jobs and their results in SQLite, kept until deleted or until their retention time passes.

Reports hold contract text, so the file is private to its owner (0600), deleted rows are
overwritten (secure_delete), and expired batches are never returned even before they are purged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    playbook TEXT
);
CREATE TABLE IF NOT EXISTS items (
    batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_status INTEGER,
    error TEXT,
    summary TEXT,
    report TEXT,
    seconds REAL,
    PRIMARY KEY (batch_id, idx)
);
"""


class BatchStore:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            folder = Path(self.path).parent
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not Path(self.path).exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "secure_delete=ON", "busy_timeout=5000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _exec(self, sql: str, params: tuple = ()) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount

    def _all(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:  # rows are fetched under the lock: the connection is shared by threads
            return self._db.execute(sql, params).fetchall()

    def _one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    # ------------------------------------------------------------------ writing

    def create(self, batch_id: str, files: list[tuple[str, int]], playbook: str | None, retention_s: float) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("INSERT INTO batches (id, created, expires, playbook) VALUES (?, ?, ?, ?)",
                                 (batch_id, now, now + retention_s, playbook))
                self._db.executemany(
                    "INSERT INTO items (batch_id, idx, file_name, size, status) VALUES (?, ?, ?, ?, 'queued')",
                    [(batch_id, i, name, size) for i, (name, size) in enumerate(files)])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def mark_running(self, batch_id: str, idx: int) -> None:
        self._exec("UPDATE items SET status='running' WHERE batch_id=? AND idx=?", (batch_id, idx))

    def finish(self, batch_id: str, idx: int, seconds: float, report_json: str, summary: dict[str, Any]) -> None:
        self._exec("UPDATE items SET status='done', report=?, summary=?, seconds=? WHERE batch_id=? AND idx=?",
                  (report_json, json.dumps(summary), seconds, batch_id, idx))

    def fail(self, batch_id: str, idx: int, seconds: float, status: int, message: str) -> None:
        self._exec("UPDATE items SET status='failed', error_status=?, error=?, seconds=? WHERE batch_id=? AND idx=?",
                  (status, message, seconds, batch_id, idx))

    def delete(self, batch_id: str) -> bool:
        return self._exec("DELETE FROM batches WHERE id=?", (batch_id,)) > 0

    def purge_expired(self, now: float | None = None) -> int:
        return self._exec("DELETE FROM batches WHERE expires <= ?", (now or time.time(),))

    def fail_unfinished(self, message: str) -> int:
        """Items left queued or running by a previous process (their uploads were only in its memory)."""
        return self._exec("UPDATE items SET status='failed', error_status=503, error=? "
                          "WHERE status IN ('queued', 'running')", (message,))

    # ------------------------------------------------------------------ reading

    def exists(self, batch_id: str) -> bool:
        return self._one("SELECT 1 FROM batches WHERE id=? AND expires > ?", (batch_id, time.time())) is not None

    def get(self, batch_id: str, with_reports: bool = False) -> dict[str, Any] | None:
        batch = self._one("SELECT * FROM batches WHERE id=? AND expires > ?", (batch_id, time.time()))
        if batch is None:
            return None
        columns = "idx, file_name, size, status, error_status, error, summary, seconds"
        if with_reports:
            columns += ", report"
        rows = self._all(f"SELECT {columns} FROM items WHERE batch_id=? ORDER BY idx", (batch_id,))
        items = []
        for row in rows:
            item = dict(row)
            item["summary"] = json.loads(item["summary"]) if item["summary"] else None
            if with_reports:
                item["report"] = json.loads(item["report"]) if item["report"] else None
            items.append(item)
        return {**dict(batch), "items": items}

    def report(self, batch_id: str, idx: int) -> tuple[str, str | None] | None:
        """(status, report JSON) of one item of a live batch."""
        row = self._one("SELECT i.status, i.report FROM items i JOIN batches b ON b.id = i.batch_id "
                        "WHERE i.batch_id=? AND i.idx=? AND b.expires > ?", (batch_id, idx, time.time()))
        return None if row is None else (row["status"], row["report"])

    def pending_count(self) -> int:
        row = self._one("SELECT COUNT(*) FROM items WHERE status IN ('queued', 'running')")
        return row[0] if row else 0
