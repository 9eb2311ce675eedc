"""The analysis process a Dask worker keeps: `python -m analyzer.audit.child`.

Reads (WorkItem, PlaybookSpec) frames on stdin and answers each with an `Outcome` on the original
stdout; anything a library prints goes to stderr instead. It loads the model once, says "ready", and
exits at end of input. The worker kills it when a document overruns its time limit.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle
    inbox = sys.stdin.buffer.fileno()
    outbox = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the frames

    from analyzer import __version__
    from analyzer.audit import protocol
    from analyzer.audit.analysis import analyze_one, analyzer

    analyzer()
    protocol.send(outbox, {"ready": True, "version": __version__, "pid": os.getpid()})
    while True:
        try:
            item, spec = protocol.receive(inbox)
        except EOFError:
            return 0
        try:
            protocol.send(outbox, analyze_one(item, spec))
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
