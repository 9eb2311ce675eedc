"""Run work items on Dask in batches, a bounded number in flight, handing outcomes back as they arrive.

By default a `LocalCluster` sized to the machine (processes, one thread each); with an address, an
existing distributed cluster. The client reads documents only as workers free up, so memory stays
bounded whatever the archive's size; outcomes come back to the client, which records them.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from analyzer.audit.models import Outcome, PlaybookSpec, WorkItem
from analyzer.audit.worker import analyze_batch, worker_info

MAX_BATCH_DOCS = 16
MAX_BATCH_BYTES = 16 * 1024 * 1024


class EngineError(Exception):
    """The cluster could not be started or reached (one line)."""


@dataclass
class EngineConfig:
    workers: int | None = None  # local workers (default: one per core)
    scheduler: str | None = None  # address of an existing cluster
    timeout: float = 120.0  # seconds per document (<= 0: none)
    batch_docs: int | None = None  # documents per task (default: from the work and the workers)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start processes with SIGINT ignored (inherited): Ctrl-C in a terminal reaches the whole process
    group, and only the client should act on it, stopping the workers itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class DaskEngine:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.client = None
        self.cluster = None
        self.slots = 1
        self.worker_versions: set[str] = set()

    def start(self) -> None:
        logging.getLogger("distributed").setLevel(logging.ERROR)
        from distributed import Client, LocalCluster

        try:
            if self.config.scheduler:
                self.client = Client(self.config.scheduler, timeout="20s")
                self.client.wait_for_workers(1, timeout=60)
            else:
                n = self.config.workers or default_workers()
                with _workers_ignore_ctrl_c():
                    self.cluster = LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
                        # No dashboard, and the scheduler's HTTP endpoint on any free port: runs side by side.
                        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    )
                self.client = Client(self.cluster)
            info = self.client.run(worker_info)
        except Exception as exc:
            self.close()
            where = self.config.scheduler or "a local cluster"
            raise EngineError(f"cannot start the audit on {where}: {type(exc).__name__}: {exc}") from None
        self.worker_versions = {i["version"] for i in info.values()}
        self.slots = max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.client is not None:
                with contextlib.suppress(Exception):  # closing after an interrupt may race
                    self.client.close(timeout=10)
            if self.cluster is not None:
                with contextlib.suppress(Exception):
                    self.cluster.close()
        self.client = self.cluster = None

    def batch_size(self, pending: int) -> int:
        if self.config.batch_docs:
            return self.config.batch_docs
        # Four tasks per worker at least, so workers finish together and progress stays live.
        return max(1, min(MAX_BATCH_DOCS, math.ceil(pending / (self.slots * 4))))

    def run(self, items: Iterator[WorkItem], pending: int, spec: PlaybookSpec,
            on_outcome: Callable[[Outcome], None], on_batch: Callable[[], None] = lambda: None) -> None:
        """Analyze every item; `on_outcome` is called on the client thread, once per item, and `on_batch`
        after the outcomes of each task."""
        from distributed import as_completed

        assert self.client is not None, "engine not started"
        size = self.batch_size(pending)
        in_flight: dict = {}
        done = as_completed()
        try:
            for _ in range(self.slots * 2):
                if not self._submit(items, size, spec, in_flight, done):
                    break
            for future in done:
                paths = in_flight.pop(future)
                try:
                    outcomes = future.result()
                except Exception as exc:  # the task itself failed: a worker died, or a bug
                    reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    outcomes = [Outcome(p, False, error=f"analysis task failed ({reason})") for p in paths]
                finally:
                    future.release()
                for outcome in outcomes:
                    on_outcome(outcome)
                on_batch()
                self._submit(items, size, spec, in_flight, done)
        finally:
            for future in in_flight:
                future.cancel()

    def _submit(self, items: Iterator[WorkItem], size: int, spec: PlaybookSpec, in_flight: dict, done) -> bool:
        batch: list[WorkItem] = []
        total = 0
        for item in items:
            batch.append(item)
            total += len(item.data)
            if len(batch) >= size or total >= MAX_BATCH_BYTES:
                break
        if not batch:
            return False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "large object in task graph" for big documents
            future = self.client.submit(analyze_batch, batch, spec, self.config.timeout, pure=False)
        in_flight[future] = [i.path for i in batch]
        done.add(future)
        return True
