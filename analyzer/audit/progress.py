"""Progress on stderr: documents done, docs/s, ETA, failures so far.

On a terminal one line is redrawn in place; otherwise a line is printed every few seconds. The rate
follows the last half minute of outcomes (the cluster's start-up is not in it), and is shown once it
spans a few seconds; the final line gives the rate over the whole run.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TextIO

WINDOW_SECONDS = 30.0
MIN_SPAN_SECONDS = 2.0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    def __init__(self, total: int, skipped: int = 0, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.skipped = skipped
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0
        self._samples: deque[tuple[float, int]] = deque()

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] > WINDOW_SECONDS:
            self._samples.popleft()
        if now - self._last >= (0.2 if self.tty else 5.0):
            self._last = now
            self._show(self.line())

    def rate(self) -> float | None:
        """Documents per second over the recent window; None until it spans a few seconds."""
        if len(self._samples) < 2:
            return None
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 - t0 >= MIN_SPAN_SECONDS else None

    def line(self, final: bool = False) -> str:
        remaining = self.total - self.done
        elapsed = time.monotonic() - self.started
        rate = (self.done / elapsed if elapsed > 0 else 0.0) if final else self.rate()
        eta = "0s" if not remaining else _duration(remaining / rate) if rate else "?"
        shown = f"{rate:.1f}" if rate is not None else "-"
        skipped = f", {self.skipped} done before" if self.skipped else ""
        return f"audit: {self.done}/{self.total} documents{skipped}, {shown} docs/s, ETA {eta}, {self.failed} failed"

    def _show(self, line: str) -> None:
        if self.quiet:
            return
        self.stream.write(("\r\033[K" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self._show(self.line(final=True))
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
