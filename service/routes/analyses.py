"""POST /api/v1/analyses (one document in, its report out) and GET /api/v1/playbooks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from analyzer.checks import builtin_names
from analyzer.model import Report
from service.analysis import Outcome
from service.errors import COMMON_RESPONSES, ServiceError, overloaded, unprocessable
from service.limits import UploadedFile, read_multipart
from service.rendering import MEDIA_TYPES, ReportFormat, download_name, ensure_available
from service.routes.deps import require_api_key
from service.runner import Busy, JobTimeout
from service.settings import Settings, get_settings
from service.state import Services, get_services

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)], responses=COMMON_RESPONSES)
AUTO = "auto"
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"


class PlaybookSummary(BaseModel):
    id: str
    name: str
    description: str
    doc_types: list[str]
    rules: int


def multipart_body(fields: dict, required: list[str]) -> dict:
    """An OpenAPI requestBody for a multipart form whose body the route reads itself (streaming)."""
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "properties": fields, "required": required}}}}}


PLAYBOOK_FIELD = {"type": "string", "enum": [AUTO, *builtin_names()], "default": AUTO,
                  "description": "a built-in playbook, or 'auto' to choose it from the document type"}
ANALYSIS_BODY = multipart_body({
    "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, TXT, Markdown or HTML"},
    "playbook": PLAYBOOK_FIELD,
}, ["file"])
RENDERINGS = {media.split(";")[0]: {} for fmt, media in MEDIA_TYPES.items() if fmt != "json"}


def choose_playbook(services: Services, value: str | None) -> str | None:
    name = (value or "").strip()
    if not name or name == AUTO:
        return None
    if name not in services.playbooks:
        raise unprocessable(f"unknown playbook {name!r} (built-in: {', '.join(sorted(services.playbooks))}, "
                            f"or {AUTO})", "bad_playbook")
    return name


def single_file(files: list[UploadedFile], field: str = "file") -> UploadedFile:
    chosen = [f for f in files if f.field == field]
    if not chosen:
        raise unprocessable(f"no file: send the document in the multipart form field `{field}`", "missing_file")
    if len(chosen) > 1:
        raise unprocessable(f"one document per request in `{field}`; use POST /api/v1/batches for several")
    return chosen[0]


async def run_analysis(services: Services, upload: UploadedFile, playbook: str | None,
                       formats: tuple[str, ...]) -> Outcome:
    """Analyze on a worker thread; busy, time-outs and analyzer errors become JSON errors."""
    if not upload.data:
        raise ServiceError(400, "empty_file", f"{upload.filename}: the file is empty (0 bytes)")
    try:
        return await services.runner.run(services.analyze, upload.data, upload.filename, upload.content_type,
                                         playbook, formats)
    except Busy:
        raise overloaded() from None
    except JobTimeout as exc:
        raise unprocessable(f"{upload.filename}: {exc}", "time_limit") from None


@router.post("/analyses", tags=["analyses"], summary="Analyze one document",
             response_description="The JSON report, or its rendering in ?format=",
             responses={200: {"model": Report, "content": RENDERINGS}}, openapi_extra=ANALYSIS_BODY)
async def create_analysis(
    request: Request,
    fmt: ReportFormat = Query("json", alias="format", description="json (default), html, md or docx"),
    settings: Settings = Depends(get_settings),
    services: Services = Depends(get_services),
) -> Response:
    """Upload one document (form field `file`, optional `playbook`) and get its report back.

    The upload is read in memory and forgotten with the response; nothing is stored."""
    ensure_available(fmt)
    upload = await read_multipart(request, max_file_bytes=settings.max_upload_bytes,
                                  max_total_bytes=settings.max_upload_bytes)
    document = single_file(upload.files)
    playbook = choose_playbook(services, upload.fields.get("playbook"))
    outcome = await run_analysis(services, document, playbook, (fmt,))
    headers = {"Cache-Control": "no-store"}
    if fmt != "json":
        if fmt == "html":  # the report is self-contained: inline styles, no script, nothing fetched
            headers["Content-Security-Policy"] = REPORT_CSP
        disposition = "attachment" if fmt == "docx" else "inline"
        headers["Content-Disposition"] = f'{disposition}; filename="{download_name(document.filename, fmt)}"'
    return Response(outcome.rendered[fmt], media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/playbooks", tags=["playbooks"], summary="List the built-in playbooks",
            response_model=list[PlaybookSummary])
async def list_playbooks(services: Services = Depends(get_services)) -> list[PlaybookSummary]:
    return [PlaybookSummary(**vars(info)) for info in services.playbooks.values()]
