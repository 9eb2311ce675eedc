"""The Dask task: analyze a batch of documents on a worker, each within its time limit.

Each worker process keeps an analysis process (`child`) with the model loaded, started on first use and
reused by every later batch (one per worker thread). A batch's documents are queued to it at once, so it
never waits between documents; results come back in order, each within `timeout` of the previous one. A
document that overruns gets its analysis process killed and fails alone; a fresh process takes the rest.
A crash of the analysis process likewise fails only the document it was reading. With no time limit the
analysis runs in the worker process itself, with the same caching.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque

from analyzer.audit import protocol
from analyzer.audit.models import Outcome, PlaybookSpec, WorkItem

STARTUP_SECONDS = 300.0  # importing spaCy and loading the model on a busy machine


class AnalysisProcess:
    """A `python -m analyzer.audit.child`, a thread feeding it requests, and the pipe its outcomes come on."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "analyzer.audit.child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=env, bufsize=0,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self._requests: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._feed, name="analysis-feed", daemon=True)
        self._writer.start()
        try:
            protocol.receive(self._out, time.monotonic() + STARTUP_SECONDS)  # "ready": the model is loaded
        except (TimeoutError, EOFError):
            reason = self.stop()
            raise RuntimeError(f"the analysis process did not start ({reason})") from None

    def _feed(self) -> None:
        while (request := self._requests.get()) is not None:
            try:
                protocol.send(self._in, request)
            except OSError:  # the process is gone; whoever reads its outcomes finds out
                return

    def submit(self, item: WorkItem, spec: PlaybookSpec) -> None:
        self._requests.put((item, spec))

    def receive(self, deadline: float) -> Outcome:
        """The next outcome; `TimeoutError` past `deadline`, `EOFError` if the process died."""
        return protocol.receive(self._out, deadline)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> str:
        """Kill the process; say how it ended (exit code or signal, and its last line of stderr)."""

        def stop_feeding() -> None:
            self._requests.put(None)
            self._writer.join(timeout=10)  # its writes fail fast now; only then may the pipes close

        return protocol.stop_child(self.proc, self._stderr, stop_feeding)


_idle: list[AnalysisProcess] = []  # analysis processes of this worker not in use by a task
_lock = threading.Lock()


def _checkout() -> AnalysisProcess | None:
    with _lock:
        while _idle:
            process = _idle.pop()
            if process.alive():
                return process
    return None


def analyze_batch(items: list[WorkItem], spec: PlaybookSpec, timeout: float) -> list[Outcome]:
    """Outcomes for every item, in order. `timeout` <= 0: no limit, analyze in this process."""
    if timeout <= 0:
        from analyzer.audit.analysis import analyze_one

        return [analyze_one(item, spec) for item in items]
    pending = deque(items)
    out: list[Outcome] = []
    process = _checkout()
    try:
        while pending:
            if process is None:
                try:
                    process = AnalysisProcess()
                except RuntimeError as exc:
                    out.append(Outcome(pending.popleft().path, False, error=str(exc)))
                    continue
            for item in pending:
                process.submit(item, spec)
            process = _collect(process, pending, out, timeout)
    finally:
        if process is not None and process.alive():
            with _lock:
                _idle.append(process)
    return out


def _collect(process: AnalysisProcess, pending: deque[WorkItem], out: list[Outcome],
             timeout: float) -> AnalysisProcess | None:
    """Read outcomes in order until all are in (the process is kept) or one fails it (it is stopped)."""
    while pending:
        item = pending[0]
        started = time.monotonic()  # the process starts a document as soon as it sent the previous one
        try:
            outcome = process.receive(started + timeout)
        except TimeoutError:
            process.stop()
            outcome = Outcome(item.path, False, error=f"timed out after {timeout:g} s", seconds=timeout)
        except (EOFError, OSError):
            reason = process.stop()
            outcome = Outcome(item.path, False, error=f"the analysis process died ({reason})",
                              seconds=time.monotonic() - started)
        if outcome.path != item.path:  # out of step: never pair a report with the wrong document
            process.stop()
            outcome = Outcome(item.path, False, error="the analysis process answered out of order")
        pending.popleft()
        out.append(outcome)
        if not outcome.ok and not process.alive():
            return None
    return process


def worker_info() -> dict:
    """What the client checks before sending work: the workers can import this package, and its version."""
    from analyzer import __version__

    return {"version": __version__, "pid": os.getpid(), "python": sys.version.split()[0]}
