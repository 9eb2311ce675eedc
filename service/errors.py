"""Errors the service answers with: JSON `{"error", "message", "status", "request_id"}`, never a traceback."""

from __future__ import annotations

from http import HTTPStatus

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from analyzer.errors import AnalyzerError, IngestError, LimitExceededError, PlaybookError, UnsupportedFormatError


class ErrorBody(BaseModel):
    error: str = Field(description="a short machine-readable code, e.g. 'too_large'")
    message: str = Field(description="one line for a person")
    status: int
    request_id: str | None = None


class ServiceError(Exception):
    """An answer other than success; `code` is stable, `message` is for people."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ServiceError:
    return ServiceError(400, "bad_request", message)


def too_large(message: str) -> ServiceError:
    return ServiceError(413, "too_large", message)


def unsupported(message: str) -> ServiceError:
    return ServiceError(415, "unsupported_media_type", message)


def unprocessable(message: str, code: str = "unprocessable") -> ServiceError:
    return ServiceError(422, code, message)


def overloaded(message: str = "the service is busy; retry in a few seconds") -> ServiceError:
    return ServiceError(503, "busy", message, {"Retry-After": "5"})


def from_analyzer(exc: AnalyzerError) -> ServiceError:
    """Map the analyzer's one-line errors to a status code; the message passes through unchanged."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, LimitExceededError):
        return too_large(message)
    if isinstance(exc, UnsupportedFormatError):
        return unsupported(message)
    if isinstance(exc, PlaybookError):
        return unprocessable(message, "bad_playbook")
    if isinstance(exc, IngestError):
        return unprocessable(message, "unreadable_document")
    return ServiceError(503, "analyzer_unavailable", message)


def error_response(status: int, code: str, message: str, request_id: str | None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=code, message=message, status=status, request_id=request_id)
    return JSONResponse(body.model_dump(), status_code=status, headers={**(headers or {}), "Cache-Control": "no-store"})


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# The statuses every API operation may answer, for the OpenAPI document.
COMMON_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in [
        (400, "Malformed request (e.g. an empty file or broken multipart body)"),
        (401, "Missing or wrong X-API-Key (only when the service has an API key)"),
        (413, "The upload, the document's pages or an archive's contents exceed a limit"),
        (415, "The file is not a supported document, or its bytes do not match its claimed type"),
        (422, "The request is invalid or the document cannot be analysed"),
        (503, "The service is busy or not ready"),
    ]
}
