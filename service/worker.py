"""The batch worker: one background thread that analyses queued documents one at a time.

Uploaded bytes wait in memory only (never on disk) and are dropped as soon as their document is
done or its batch is deleted; results go to the `BatchStore`. The thread also purges expired batches.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from service.errors import ServiceError
from service.runner import Busy, JobTimeout, Runner
from service.store import BatchStore

log = logging.getLogger("clauses.service")
PURGE_EVERY_S = 60.0


@dataclass
class QueuedDocument:
    batch_id: str
    index: int
    file_name: str
    content_type: str | None
    data: bytes
    playbook: str | None


# (file name, data, content type, playbook) -> (report JSON, summary)
AnalyzeFn = Callable[[str, bytes, str | None, str | None], tuple[str, dict]]


class BatchWorker:
    def __init__(self, store: BatchStore, runner: Runner, analyze: AnalyzeFn, max_pending_bytes: int) -> None:
        self.store = store
        self.runner = runner
        self.analyze = analyze
        self.max_pending_bytes = max_pending_bytes
        self._queue: deque[QueuedDocument] = deque()
        self._pending_bytes = 0
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="batch-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._queue.clear()
            self._pending_bytes = 0
            self._cond.notify_all()
        self._thread.join(timeout)

    def has_room(self, size: int) -> bool:
        with self._cond:
            return self._pending_bytes + size <= self.max_pending_bytes

    def enqueue(self, documents: list[QueuedDocument]) -> None:
        size = sum(len(d.data) for d in documents)
        with self._cond:
            if self._stop:
                raise Busy("the service is shutting down")
            if self._pending_bytes + size > self.max_pending_bytes:
                raise Busy("too many batch documents are waiting")
            self._queue.extend(documents)
            self._pending_bytes += size
            self._cond.notify_all()

    def cancel(self, batch_id: str) -> None:
        """Forget the queued documents of a deleted batch."""
        with self._cond:
            kept = [d for d in self._queue if d.batch_id != batch_id]
            self._pending_bytes = sum(len(d.data) for d in kept)
            self._queue = deque(kept)

    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    def _next(self, timeout: float) -> QueuedDocument | None:
        with self._cond:
            if not self._queue and not self._stop:
                self._cond.wait(timeout)
            if self._stop or not self._queue:
                return None
            document = self._queue.popleft()
            self._pending_bytes -= len(document.data)
            return document

    def _loop(self) -> None:
        last_purge = 0.0
        while not self._stop:
            if time.monotonic() - last_purge >= PURGE_EVERY_S:
                last_purge = time.monotonic()
                try:
                    purged = self.store.purge_expired()
                    if purged:
                        log.info("batches purged=%d reason=retention", purged)
                except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad moment of the disk
                    log.error("batch purge failed error=%s", type(exc).__name__)
            document = self._next(timeout=min(PURGE_EVERY_S, 5.0))
            if document is not None:
                self._process(document)

    def _process(self, doc: QueuedDocument) -> None:
        if not self.store.exists(doc.batch_id):
            return  # deleted or expired meanwhile
        self.store.mark_running(doc.batch_id, doc.index)
        started = time.monotonic()
        try:
            report_json, summary = self.runner.run_sync(
                self.analyze, doc.file_name, doc.data, doc.content_type, doc.playbook)
        except ServiceError as exc:
            self.store.fail(doc.batch_id, doc.index, time.monotonic() - started, exc.status, exc.message)
        except JobTimeout as exc:
            self.store.fail(doc.batch_id, doc.index, time.monotonic() - started, 422, str(exc))
        except Busy as exc:
            self.store.fail(doc.batch_id, doc.index, time.monotonic() - started, 503, str(exc))
        except Exception as exc:  # noqa: BLE001 - an analyzer bug fails one document, not the batch
            log.error("batch=%s item=%d internal error=%s", doc.batch_id, doc.index, type(exc).__name__)
            self.store.fail(doc.batch_id, doc.index, time.monotonic() - started, 500,
                            "internal error while analysing this document")
        else:
            self.store.finish(doc.batch_id, doc.index, time.monotonic() - started, report_json, summary)
        finally:
            log.info("batch=%s item=%d bytes=%d ms=%.0f", doc.batch_id, doc.index, len(doc.data),
                     1000 * (time.monotonic() - started))
