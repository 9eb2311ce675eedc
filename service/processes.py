"""Analysis in child processes, one per worker thread.

Analysis is CPU-bound Python, so on threads the GIL lets only one document be analysed at a time, and
eight clients queue behind one core. Each worker thread instead owns a child process
(`python -m service.child`) that has loaded the model once. The thread sends it the upload and waits,
without holding the GIL. A document over its time limit gets its process killed outright (no waiting
for a long call into C to return), and a fresh process takes its place; so does a process that died.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from analyzer.audit import protocol
from service.analysis import Outcome
from service.errors import ServiceError
from service.runner import JobTimeout

log = logging.getLogger("clauses.service")
STARTUP_SECONDS = 300.0  # importing spaCy and loading the model on a busy machine


class ChildProcess:
    """One `python -m service.child`: requests go in on its stdin, replies come back on its stdout."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env={**os.environ, "PYTHONWARNINGS": "ignore"}, bufsize=0,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        try:
            self.hello: dict[str, Any] = protocol.receive(self._out, time.monotonic() + STARTUP_SECONDS)
        except (TimeoutError, EOFError):
            reason = self.stop()
            raise RuntimeError(f"the analysis process did not start ({reason})") from None

    def call(self, request: tuple, deadline: float) -> Any:
        """Send one request and wait for its reply; `TimeoutError` past `deadline`, `EOFError` if it died."""
        protocol.send(self._in, request)
        return protocol.receive(self._out, deadline)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> str:
        """Kill the process; say how it ended."""
        return protocol.stop_child(self.proc, self._stderr)


class ProcessPool:
    """`size` child processes; `analyze` borrows one for the length of a request."""

    def __init__(self, size: int) -> None:
        with ThreadPoolExecutor(size) as starting:  # in parallel: each one imports spaCy and loads the model
            children = list(starting.map(lambda _: ChildProcess(), range(size)))
        self.hello = children[0].hello
        self._idle = children
        self._lock = threading.Lock()
        self._available = threading.Semaphore(size)
        self._closed = False

    def analyze(self, data: bytes, file_name: str, content_type: str | None, playbook: str | None,
                formats: tuple[str, ...], time_limit: float) -> Outcome:
        """The same contract as `service.analysis.analyze_upload`, run in a child process."""
        self._available.acquire()
        child: ChildProcess | None = None
        try:
            child = self._checkout()
            started = time.monotonic()
            try:
                reply = child.call((data, file_name, content_type, playbook, formats), started + time_limit)
            except TimeoutError:
                child.stop()
                child = None
                raise JobTimeout(f"analysis took longer than the {time_limit:g} s limit") from None
            except (EOFError, OSError):
                reason = child.stop()
                child = None
                log.error("analysis process died reason=%s", reason)
                raise ServiceError(500, "internal_error", f"{file_name}: the analysis stopped unexpectedly "
                                                          "(the document may be too large or malformed)") from None
        finally:
            self._checkin(child)
            self._available.release()
        if reply[0] == "error":
            _, status, code, message, headers = reply
            raise ServiceError(status, code, message, headers)
        return reply[1]

    def _checkout(self) -> ChildProcess:
        with self._lock:
            if self._closed:
                raise ServiceError(503, "busy", "the service is shutting down", {"Retry-After": "5"})
            child = self._idle.pop() if self._idle else None
        if child is not None and child.alive():
            return child
        if child is not None:
            child.stop()
        try:
            return ChildProcess()  # a replacement for one that was killed or died
        except RuntimeError as exc:
            raise ServiceError(503, "busy", str(exc), {"Retry-After": "5"}) from None

    def _checkin(self, child: ChildProcess | None) -> None:
        if child is None:
            return  # replaced lazily by the next `_checkout`
        with self._lock:
            if not self._closed:
                self._idle.append(child)
                return
        child.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for child in idle:
            child.stop()
