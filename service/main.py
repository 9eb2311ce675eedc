"""The application factory: routes, error handlers, request logging and the start-up lifespan."""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analyzer import __version__
from service.errors import ServiceError, error_response, status_phrase
from service.settings import Settings
from service.state import load_services

log = logging.getLogger("clauses.service")
HERE = Path(__file__).parent
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
]


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


class RequestContext:
    """Gives each request an id, logs one line per request (no contract text: ids, sizes, status, timing)
    and turns an unexpected exception into a JSON 500 without a traceback reaching the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        seen = {"in": 0, "out": 0, "status": 0}

        async def counting_receive() -> Message:
            message = await receive()
            seen["in"] += len(message.get("body", b""))
            return message

        async def tagging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                present = {name.lower() for name, _ in headers}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*headers, (b"x-request-id", rid.encode()), *extra]
            elif message["type"] == "http.response.body":
                seen["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, tagging_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: log where, answer 500
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            log.error("request=%s internal error=%s at=%s:%s", rid, type(exc).__name__,
                      Path(where.filename).name if where else "?", where.lineno if where else "?")
            if seen["status"] == 0:
                response = error_response(500, "internal_error",
                                          f"internal error; quote request id {rid} when reporting it", rid)
                await response(scope, counting_receive, tagging_send)
        finally:
            elapsed_ms = 1000 * (time.perf_counter() - started)
            log.info("request=%s method=%s route=%s status=%s in=%d out=%d ms=%.1f", rid, scope["method"],
                     _route_name(scope), seen["status"], seen["in"], seen["out"], elapsed_ms)


def _route_name(scope: Scope) -> str:
    """The matched route's template (`/api/v1/batches/{batch_id}`), never the raw path a client typed."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return route.path
    return "/static" if scope.get("path", "").startswith("/static/") else "-"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",))
        parts.append(f"{location}: {error.get('msg', 'invalid')}" if location else error.get("msg", "invalid"))
    return "; ".join(parts) or "invalid request"


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, request_id(request), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc), request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = status_phrase(exc.status_code).lower().replace(" ", "_")
        message = exc.detail if isinstance(exc.detail, str) else status_phrase(exc.status_code)
        return error_response(exc.status_code, code, message, request_id(request), dict(exc.headers or {}))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service; `settings` default to the environment (CLAUSES_*)."""
    from service.routes import analyses, batches, health, pages

    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        started = time.perf_counter()
        services = await run_in_threadpool(load_services, app.state.settings)
        app.state.services = services
        log.info("ready version=%s model=%s playbooks=%d seconds=%.1f", __version__,
                 services.model_status.split(":")[0], len(services.playbooks), time.perf_counter() - started)
        try:
            yield
        finally:
            app.state.services = None
            services.close()

    app = FastAPI(
        title="Clause analyzer",
        version=__version__,
        summary="Reads service agreements and reports clauses, numeric targets, missing sections and findings.",
        lifespan=lifespan,
        docs_url=None,  # /docs is served by the pages router, without any CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = None
    _install_handlers(app)
    app.include_router(health.router)
    app.include_router(analyses.router)
    app.include_router(batches.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(RequestContext)
    return app
