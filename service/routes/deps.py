"""Dependencies shared by the API routes."""

from __future__ import annotations

import hmac

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from service.errors import ServiceError
from service.settings import Settings, get_settings

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="Required on /api/* when the service runs with CLAUSES_API_KEY")


def key_matches(settings: Settings, supplied: str | None) -> bool:
    expected = settings.api_key_value
    if expected is None:
        return True
    return supplied is not None and hmac.compare_digest(supplied.encode(), expected.encode())


def require_api_key(supplied: str | None = Security(api_key_header),
                    settings: Settings = Depends(get_settings)) -> None:
    if not key_matches(settings, supplied):
        message = "missing X-API-Key header" if not supplied else "wrong X-API-Key"
        raise ServiceError(401, "unauthorized", message, {"WWW-Authenticate": "X-API-Key"})
