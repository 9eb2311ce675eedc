"""Decide what each pending document needs: a failed row, a copy of an identical file's outcome, or analysis.

Identical files (same bytes, same name ending) are analyzed once: later ones wait for the first and get
a copy of its report, or of its failure. Documents are read only when the engine asks for more work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from analyzer.audit.models import JournalEntry, Outcome, WorkItem
from analyzer.audit.plan import Key
from analyzer.audit.recorder import Recorder
from analyzer.audit.sources import Source, SourceError, SourceReader


class Dispatcher:
    def __init__(self, todo: list[Source], reader: SourceReader, recorder: Recorder,
                 known: dict[Key, JournalEntry]) -> None:
        self.todo = todo
        self.reader = reader
        self.recorder = recorder
        self.known = known  # finished outcomes by content, from earlier runs and this one
        self._waiting: dict[Key, list[Source]] = {}  # first is being analyzed; the rest are its copies
        self._key_of: dict[str, Key] = {}
        self.sent = 0

    def items(self) -> Iterator[WorkItem]:
        """Work for the engine; everything that needs no analysis is recorded on the way."""
        for source in self.todo:
            if source.error is not None:
                self.recorder.failed(source, source.error)
                continue
            try:
                data = self.reader.read(source)
            except SourceError as exc:
                self.recorder.failed(source, str(exc))
                continue
            key = (hashlib.sha256(data).hexdigest(), source.suffix)
            if key in self.known:
                self.recorder.duplicate(source, key[0], self.known[key])
            elif key in self._waiting:
                self._waiting[key].append(source)
            else:
                self._waiting[key] = [source]
                self._key_of[source.path] = key
                self.sent += 1
                yield WorkItem(source.path, source.name, data)

    def on_outcome(self, outcome: Outcome) -> None:
        key = self._key_of.pop(outcome.path)
        first, *copies = self._waiting.pop(key)
        entry = self.recorder.analyzed(first, key[0], outcome)
        self.known[key] = entry
        for source in copies:
            self.recorder.duplicate(source, key[0], entry)

    def unfinished(self) -> int:
        return sum(len(v) for v in self._waiting.values())
