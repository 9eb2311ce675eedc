"""`clauses serve`: run the service with uvicorn (loopback by default)."""

from __future__ import annotations

import ipaddress
import logging
import sys

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run until interrupted; 0 on a clean stop, 2 when the settings are invalid or the port is taken."""
    import uvicorn
    from pydantic import ValidationError

    from service.main import create_app
    from service.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        print(f"clauses: invalid setting CLAUSES_{str(error['loc'][0]).upper()}: {error['msg']}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr, force=True)
    log = logging.getLogger("clauses.service")
    if not _is_loopback(host) and settings.api_key is None:
        log.warning("listening on %s without an API key: anyone who can reach it can analyse documents "
                    "(set CLAUSES_API_KEY)", host)
    config = uvicorn.Config(create_app(settings), host=host, port=port, access_log=False, log_config=None,
                            log_level=settings.log_level.lower(), server_header=False, timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        return 2 if exc.code else 0
    except KeyboardInterrupt:
        return 0
    return 0 if server.started else 2
