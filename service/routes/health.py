"""GET /healthz: is the service up, with its model, and how busy is it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from analyzer import __version__
from service.errors import COMMON_RESPONSES
from service.state import Services, get_services

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    model: str
    playbooks: int
    running: int
    waiting: int
    batch_documents_queued: int


@router.get("/healthz", response_model=Health, summary="Is the service up", responses={503: COMMON_RESPONSES[503]})
async def healthz(services: Services = Depends(get_services)) -> Health:
    stats = services.runner.stats()
    return Health(
        status="ok" if services.model_status == "loaded" else "degraded",
        version=__version__,
        model=services.model_status,
        playbooks=len(services.playbooks),
        running=stats["running"],
        waiting=stats["waiting"],
        batch_documents_queued=services.batches.queued(),
    )
