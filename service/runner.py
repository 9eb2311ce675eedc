"""A bounded pool of analysis threads with a time limit per job.

Analysis is CPU-bound Python: it runs on these threads so the event loop stays free. The pool
answers "busy" (503) rather than queueing without bound. A job over its time limit is answered
with `JobTimeout` at once, and its thread is asked to stop: a watchdog raises `JobTimeout` inside
it (CPython's PyThreadState_SetAsyncExc), which takes effect at the next Python instruction — a
long call into C finishes first. Its slot is freed only when the thread has really stopped.
"""

from __future__ import annotations

import asyncio
import ctypes
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class JobTimeout(BaseException):
    """The job ran past its time limit. A BaseException, like KeyboardInterrupt, so that an
    `except Exception` inside the analyzer does not swallow the stop request."""


class Busy(Exception):
    """Every worker is busy and the waiting line is full."""


@dataclass(eq=False)
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    time_limit: float
    result: Future = field(default_factory=Future)
    thread_id: int | None = None
    deadline: float | None = None
    stopped: bool = False
    released: bool = False

    def settle(self, value: Any = None, exc: BaseException | None = None) -> None:
        if self.result.done():
            return
        try:
            if exc is not None:
                self.result.set_exception(exc)
            else:
                self.result.set_result(value)
        except Exception:  # settled by the watchdog in between: the first answer stands
            pass


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> None:
    """Schedule `exc_type` in another thread (None clears a pending one)."""
    exc = ctypes.py_object(exc_type) if exc_type is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), exc)


class Runner:
    def __init__(self, workers: int, max_queue: int, time_limit: float, name: str = "analysis") -> None:
        self.time_limit = time_limit
        self._slots = threading.BoundedSemaphore(workers + max_queue)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running: set[_Job] = set()
        self._waiting = 0
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._main, name=f"{name}-{i}", daemon=True) for i in range(workers)]
        self._watchdog = threading.Thread(target=self._watch, name=f"{name}-watchdog", daemon=True)
        for thread in [*self._threads, self._watchdog]:
            thread.start()

    # ------------------------------------------------------------------ submitting

    def submit(self, fn: Callable[..., T], *args: Any, wait: bool = False, time_limit: float | None = None) -> Future:
        """Queue `fn(*args)`; raises `Busy` when full (or waits for room with wait=True)."""
        if self._closed.is_set():
            raise Busy("the service is shutting down")
        if not self._slots.acquire(blocking=wait):
            raise Busy("every analysis worker is busy")
        job = _Job(fn, args, self.time_limit if time_limit is None else time_limit)
        with self._lock:
            self._waiting += 1
        self._jobs.put(job)
        return job.result

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args))

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return self.submit(fn, *args, wait=True).result()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"running": len(self._running), "waiting": self._waiting}

    def close(self) -> None:
        self._closed.set()
        for _ in self._threads:
            self._jobs.put(None)

    # ------------------------------------------------------------------ worker threads

    def _main(self) -> None:
        # A stop request may be delivered just after its job ended, outside `_execute`: the outer loop
        # catches it and `_finish` (idempotent) completes the bookkeeping.
        job: _Job | None = None
        while True:
            try:
                while True:
                    job = self._jobs.get()
                    if job is None:
                        return
                    self._execute(job)
                    self._finish(job)
            except JobTimeout:
                if job is not None:
                    self._finish(job)

    def _execute(self, job: _Job) -> None:
        with self._lock:
            self._waiting -= 1
            job.thread_id = threading.get_ident()
            job.deadline = time.monotonic() + job.time_limit
            self._running.add(job)
        try:
            job.settle(job.fn(*job.args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who re-raises it
            job.settle(exc=exc)

    def _finish(self, job: _Job) -> None:
        with self._lock:
            self._running.discard(job)
            thread_id, job.thread_id = job.thread_id, None
            if job.stopped and thread_id is not None:
                _raise_in_thread(thread_id, None)  # clear a stop request not delivered yet
            if not job.released:
                job.released = True
                self._slots.release()

    def _watch(self) -> None:
        while not self._closed.wait(0.05):
            now = time.monotonic()
            with self._lock:
                for job in self._running:
                    if job.stopped or job.deadline is None or now < job.deadline or job.thread_id is None:
                        continue
                    job.stopped = True
                    job.settle(exc=JobTimeout(f"analysis took longer than the {job.time_limit:g} s limit"))
                    _raise_in_thread(job.thread_id, JobTimeout)
