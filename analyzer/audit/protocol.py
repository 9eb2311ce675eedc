"""Frames between a process and its analysis child (a 4-byte length, then a pickle), and stopping the child.

Used by the audit's Dask workers and by the service's worker threads."""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import time
from collections.abc import Callable
from typing import IO, Any

_HEADER = struct.Struct(">I")


def send(fd: int, message: Any) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def receive(fd: int, deadline: float | None = None) -> Any:
    """The next message; `TimeoutError` past `deadline` (time.monotonic()), `EOFError` if the peer is gone."""
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def stop_child(proc: subprocess.Popen, stderr: IO[bytes], before_closing: Callable[[], None] | None = None) -> str:
    """Kill `proc` if it runs, close its pipes and its stderr file; say how it ended (exit code or signal, and
    its last line of stderr). `before_closing` runs once it is dead and before its pipes close."""
    if proc.poll() is None:
        proc.kill()
    code = proc.wait()
    if before_closing is not None:
        before_closing()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()
    stderr.seek(0)
    lines = [ln for ln in stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    stderr.close()
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return f"{how}: {lines[-1].strip()[:200]}" if lines and code != -signal.SIGKILL else how
