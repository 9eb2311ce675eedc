"""The Dask task: analyze a batch of documents on a worker, each within its time limit.

Each worker process keeps one analysis process (`child`) with the model loaded, started on first use
and reused by every later batch. A document that overruns the limit gets its analysis process killed
(a fresh one starts for the next document); a crash of that process fails only the document it was
reading. With no time limit the analysis runs in the worker process itself, with the same caching.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from analyzer.audit import protocol
from analyzer.audit.models import Outcome, PlaybookSpec, WorkItem

STARTUP_SECONDS = 300.0  # importing spaCy and loading the model on a busy machine


class AnalysisProcess:
    """A `python -m analyzer.audit.child` and the pipes to it."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "analyzer.audit.child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=env, bufsize=0,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        try:
            hello = protocol.receive(self._out, time.monotonic() + STARTUP_SECONDS)
        except (TimeoutError, EOFError):
            reason = self.stop()
            raise RuntimeError(f"the analysis process did not start ({reason})") from None
        self.version = hello.get("version")

    def run(self, item: WorkItem, spec: PlaybookSpec, timeout: float) -> Outcome:
        started = time.monotonic()
        try:
            protocol.send(self._in, (item, spec))
            return protocol.receive(self._out, started + timeout)
        except TimeoutError:
            self.stop()
            return Outcome(item.path, False, error=f"timed out after {timeout:g} s", seconds=timeout)
        except (EOFError, BrokenPipeError, OSError):
            reason = self.stop()
            return Outcome(item.path, False, error=f"the analysis process died ({reason})",
                           seconds=time.monotonic() - started)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> str:
        """Kill the process; say how it ended (exit code or signal, and its last line of stderr)."""
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        self._stderr.seek(0)
        lines = [ln for ln in self._stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        self._stderr.close()
        how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        return f"{how}: {lines[-1].strip()[:200]}" if lines and code != -signal.SIGKILL else how


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
    """Outcomes for every item, in order. `timeout` <= 0: no limit, analyze in this process.

    A worker with one thread (the local default) keeps one analysis process; a worker running tasks on
    several threads gets one per thread, each reused by later tasks.
    """
    if timeout <= 0:
        from analyzer.audit.analysis import analyze_one

        return [analyze_one(item, spec) for item in items]
    process = _checkout()
    out = []
    try:
        for item in items:
            if process is None or not process.alive():
                try:
                    process = AnalysisProcess()
                except RuntimeError as exc:
                    out.append(Outcome(item.path, False, error=str(exc)))
                    continue
            out.append(process.run(item, spec, timeout))
    finally:
        if process is not None and process.alive():
            with _lock:
                _idle.append(process)
    return out


def worker_info() -> dict:
    """What the client checks before sending work: the workers can import this package, and its version."""
    from analyzer import __version__

    return {"version": __version__, "pid": os.getpid(), "python": sys.version.split()[0]}
