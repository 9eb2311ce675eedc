"""Batches: several documents (or zips of them) analysed in the background, results kept for a while.

POST /api/v1/batches -> 202 and an id; GET /api/v1/batches/{id} -> progress and results;
GET /api/v1/batches/{id}/items/{index} -> one report; DELETE /api/v1/batches/{id} removes everything.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from service.errors import COMMON_RESPONSES, ErrorBody, ServiceError, overloaded, too_large, unprocessable
from service.limits import UploadedFile, ZipLimits, expand_zip, human_size, is_archive, read_multipart
from service.routes.analyses import PLAYBOOK_FIELD, choose_playbook, multipart_body
from service.routes.deps import require_api_key
from service.runner import Busy
from service.settings import Settings, get_settings
from service.state import Services, get_services
from service.worker import QueuedDocument

router = APIRouter(prefix="/api/v1/batches", tags=["batches"], dependencies=[Depends(require_api_key)],
                   responses=COMMON_RESPONSES)
BatchId = Path(pattern=r"^[0-9a-f]{32}$", description="the id POST /api/v1/batches returned")
NOT_FOUND = {404: {"model": ErrorBody, "description": "No such batch (deleted, expired or never created)"}}
BATCH_BODY = multipart_body({
    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
              "description": "documents, and zip archives of documents"},
    "playbook": PLAYBOOK_FIELD,
}, ["files"])


class BatchCreated(BaseModel):
    id: str
    status_url: str
    documents: int


class ItemError(BaseModel):
    status: int
    message: str


class BatchItem(BaseModel):
    index: int
    file_name: str
    size: int
    status: Literal["queued", "running", "done", "failed"]
    seconds: float | None = None
    error: ItemError | None = None
    summary: dict[str, Any] | None = Field(default=None, description="completeness, playbook, finding counts...")
    report_url: str | None = None
    report: dict[str, Any] | None = Field(default=None, description="the full report, with ?reports=true")


class Batch(BaseModel):
    id: str
    status: Literal["queued", "running", "done"]
    created: datetime
    expires: datetime
    playbook: str | None
    total: int
    done: int
    failed: int
    items: list[BatchItem]


def _not_found(batch_id: str) -> ServiceError:
    return ServiceError(404, "not_found", f"no batch {batch_id} (deleted, expired or never created)")


def _batch(row: dict[str, Any]) -> Batch:
    items = []
    for item in row["items"]:
        error = ItemError(status=item["error_status"], message=item["error"]) if item["status"] == "failed" else None
        url = f"/api/v1/batches/{row['id']}/items/{item['idx']}" if item["status"] == "done" else None
        items.append(BatchItem(index=item["idx"], file_name=item["file_name"], size=item["size"],
                               status=item["status"], seconds=item["seconds"], error=error,
                               summary=item["summary"], report_url=url, report=item.get("report")))
    states = [i.status for i in items]
    finished = sum(s in ("done", "failed") for s in states)
    status = "done" if finished == len(states) else "queued" if set(states) == {"queued"} else "running"
    return Batch(id=row["id"], status=status, created=datetime.fromtimestamp(row["created"], UTC),
                 expires=datetime.fromtimestamp(row["expires"], UTC), playbook=row["playbook"], total=len(items),
                 done=states.count("done"), failed=states.count("failed"), items=items)


def _documents(uploads: list[UploadedFile], settings: Settings) -> list[tuple[str, bytes, str | None]]:
    """The documents of a batch, zips expanded (within the zip limits)."""
    limits = ZipLimits(settings.zip_max_entries, settings.zip_max_total_bytes, settings.zip_max_ratio)
    documents: list[tuple[str, bytes, str | None]] = []
    for part in uploads:
        if is_archive(part.data):
            documents.extend((name, data, None) for name, data in expand_zip(part.data, part.filename, limits))
        else:
            documents.append((part.filename, part.data, part.content_type))
        if len(documents) > settings.max_batch_files:
            raise too_large(f"more than {settings.max_batch_files} documents in one batch")
    for name, data, _ in documents:
        if len(data) > settings.max_upload_bytes:
            raise too_large(f"{name} is larger than the {human_size(settings.max_upload_bytes)} limit")
    return documents


@router.post("", status_code=202, response_model=BatchCreated, summary="Start a batch",
             openapi_extra=BATCH_BODY)
async def create_batch(request: Request, response: Response, settings: Settings = Depends(get_settings),
                       services: Services = Depends(get_services)) -> BatchCreated:
    """Upload documents and zips of documents in the form field `files`; they are analysed in the background."""
    upload = await read_multipart(request, max_file_bytes=settings.max_batch_bytes,
                                  max_total_bytes=settings.max_batch_bytes, max_files=settings.max_batch_files)
    playbook = choose_playbook(services, upload.fields.get("playbook"))
    uploads = upload.files_in("files")
    if not uploads:
        raise unprocessable("no files: send documents in the multipart form field `files`", "missing_file")
    documents = await run_in_threadpool(_documents, uploads, settings)
    if not services.batches.has_room(sum(len(data) for _, data, _ in documents)):
        raise overloaded("too many batch documents are waiting; retry later")
    batch_id = uuid.uuid4().hex
    services.store.create(batch_id, [(name, len(data)) for name, data, _ in documents], playbook,
                          settings.retention_hours * 3600)
    try:
        services.batches.enqueue([QueuedDocument(batch_id, i, name, ctype, data, playbook)
                                  for i, (name, data, ctype) in enumerate(documents)])
    except Busy:
        services.store.delete(batch_id)
        raise overloaded("too many batch documents are waiting; retry later") from None
    url = f"/api/v1/batches/{batch_id}"
    response.headers["Location"] = url
    return BatchCreated(id=batch_id, status_url=url, documents=len(documents))


@router.get("/{batch_id}", response_model=Batch, summary="Progress and results of a batch", responses=NOT_FOUND)
def get_batch(batch_id: str = BatchId, reports: bool = Query(False, description="embed the full reports"),
              services: Services = Depends(get_services)) -> Batch:
    row = services.store.get(batch_id, with_reports=reports)
    if row is None:
        raise _not_found(batch_id)
    return _batch(row)


@router.get("/{batch_id}/items/{index}", summary="The JSON report of one document of a batch",
            responses={**NOT_FOUND, 409: {"model": ErrorBody, "description": "The document is not analysed yet"}})
def get_item(batch_id: str = BatchId, index: int = Path(ge=0, le=1_000_000),
             services: Services = Depends(get_services)) -> Response:
    found = services.store.report(batch_id, index)
    if found is None:
        raise ServiceError(404, "not_found", f"no item {index} in batch {batch_id}")
    status, report = found
    if report is None:
        state = "it failed" if status == "failed" else f"it is still {status}"
        raise ServiceError(409, "not_ready", f"item {index} of batch {batch_id} has no report: {state}")
    return Response(report, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.delete("/{batch_id}", status_code=204, summary="Delete a batch and its results", responses=NOT_FOUND)
def delete_batch(batch_id: str = BatchId, services: Services = Depends(get_services)) -> Response:
    services.batches.cancel(batch_id)
    if not services.store.delete(batch_id):
        raise _not_found(batch_id)
    return Response(status_code=204)
