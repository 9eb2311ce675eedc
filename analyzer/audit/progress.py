"""Progress on stderr: documents done, docs/s, ETA, failures so far.

On a terminal one line is redrawn in place; otherwise a line is printed every few seconds.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TextIO

WINDOW_SECONDS = 30.0  # the rate, and so the ETA, follow the last half minute


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
        self._samples: deque[tuple[float, int]] = deque([(self.started, 0)])

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[1][0] > WINDOW_SECONDS:
            self._samples.popleft()
        if now - self._last >= (0.2 if self.tty else 5.0):
            self._last = now
            self._show()

    @property
    def rate(self) -> float:
        """Documents per second over the recent window (the whole run until it is that long)."""
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def line(self) -> str:
        rate = self.rate
        remaining = self.total - self.done
        eta = _duration(remaining / rate) if rate > 0 and remaining else ("0s" if not remaining else "?")
        skipped = f", {self.skipped} done before" if self.skipped else ""
        return (f"audit: {self.done}/{self.total} documents{skipped}, {rate:.1f} docs/s, ETA {eta}, "
                f"{self.failed} failed")

    def _show(self) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.quiet:
            return
        self.stream.write(("\r\033[K" if self.tty else "") + self.line() + "\n")
        self.stream.flush()
