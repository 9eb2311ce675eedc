"""An analysis process of the service: `python -m service.child` (started by `service.processes`).

Loads the model once (settings from the same CLAUSES_* environment as the server), says hello, then
answers each upload on its stdin with ("ok", Outcome) or ("error", status, code, message, headers) on
its stdout. Anything a library prints goes to stderr instead, so it cannot corrupt the replies. No
contract text is written anywhere.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    inbox = sys.stdin.buffer.fileno()
    outbox = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    from analyzer.audit import protocol
    from service.analysis import analyze_upload
    from service.errors import ServiceError
    from service.settings import Settings
    from service.state import build_analyzer

    analyzer, model_status = build_analyzer(Settings())
    protocol.send(outbox, {"ready": True, "pid": os.getpid(), "model_status": model_status})
    while True:
        try:
            data, file_name, content_type, playbook, formats = protocol.receive(inbox)
        except EOFError:
            return 0
        try:
            reply: tuple = ("ok", analyze_upload(analyzer, data, file_name, content_type, playbook, formats))
        except ServiceError as exc:
            reply = ("error", exc.status, exc.code, exc.message, exc.headers)
        except Exception as exc:  # noqa: BLE001 - a bug fails this document, not the process
            print(f"internal error: {type(exc).__name__}", file=sys.stderr)
            reply = ("error", 500, "internal_error", f"{file_name}: internal error while analysing this document",
                     {})
        try:
            protocol.send(outbox, reply)
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
