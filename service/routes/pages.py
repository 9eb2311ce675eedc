"""The upload page (`/`), its result, and an API reference at /docs built from the OpenAPI document.

Everything is served from this process: no CDN, no external font or script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from service.errors import ServiceError, status_phrase
from service.limits import read_multipart
from service.rendering import available_formats
from service.routes.analyses import choose_playbook, run_analysis, single_file
from service.routes.deps import key_matches
from service.settings import Settings, get_settings
from service.state import Services, get_services
from service.view import SEVERITIES, build_view, clause_anchor

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.globals.update(clause_anchor=clause_anchor, severities=SEVERITIES)
router = APIRouter(include_in_schema=False)
PAGE_FORMATS = ("json", "html", "docx")


def _page(request: Request, settings: Settings, services: Services, status: int = 200,
          **context: Any) -> HTMLResponse:
    context = {"playbooks": list(services.playbooks.values()), "needs_key": settings.api_key is not None,
               "limit_mb": settings.max_upload_bytes / (1024 * 1024), "limit_bytes": settings.max_upload_bytes,
               "result": None, "error": None, "chosen_playbook": "auto", **context}
    response = templates.TemplateResponse(request, "index.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, settings: Settings = Depends(get_settings),
                services: Services = Depends(get_services)) -> HTMLResponse:
    return _page(request, settings, services)


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_page(request: Request, settings: Settings = Depends(get_settings),
                       services: Services = Depends(get_services)) -> HTMLResponse:
    """The form's target: the same analysis as the API, shown as a page. Nothing is kept afterwards."""
    chosen = "auto"
    try:
        upload = await read_multipart(request, max_file_bytes=settings.max_upload_bytes,
                                      max_total_bytes=settings.max_upload_bytes)
        chosen = upload.fields.get("playbook") or "auto"
        if not key_matches(settings, upload.fields.get("api_key") or None):
            raise ServiceError(401, "unauthorized", "this service needs its API key: enter it above the file")
        document = single_file(upload.files)
        playbook = choose_playbook(services, chosen)
        available = available_formats()
        outcome = await run_analysis(services, document, playbook, tuple(f for f in PAGE_FORMATS if f in available))
    except ServiceError as exc:
        error = {"status": exc.status, "phrase": status_phrase(exc.status), "message": exc.message}
        return _page(request, settings, services, exc.status, error=error, chosen_playbook=chosen)
    view = build_view(outcome.report, outcome.rendered, available)
    return _page(request, settings, services, result=view, chosen_playbook=chosen)


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            form = next(iter(body.values()), {}).get("schema", {}) if body else {}
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": op.get("parameters", []),
                "body_type": next(iter(body), None),
                "fields": form.get("properties", {}), "required": form.get("required", []),
                "responses": {code: r.get("description", "") for code, r in op.get("responses", {}).items()},
            })
    return operations


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request, settings: Settings = Depends(get_settings)) -> HTMLResponse:
    schema = request.app.openapi()
    return templates.TemplateResponse(request, "docs.html", {
        "info": schema.get("info", {}), "operations": _operations(schema), "needs_key": settings.api_key is not None,
        "base_url": str(request.base_url)})
