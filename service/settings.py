"""Service settings, from the environment (prefix CLAUSES_), handed to routes through a dependency."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MB, "g": 1024 * MB}


def default_store() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "clauses" / "batches.sqlite3"


def parse_size(value: Any) -> Any:
    """'25MB', '512k', '1048576' -> bytes; anything else is left to pydantic."""
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match is None:
            return value
        unit = (match.group(2) or "").lower()[:1]
        return int(float(match.group(1)) * _UNITS[unit])
    return value


class Settings(BaseSettings):
    """Every field can be set as CLAUSES_<NAME>, e.g. CLAUSES_MAX_UPLOAD_BYTES=25MB, CLAUSES_STORE=/var/x.db."""

    model_config = SettingsConfigDict(env_prefix="CLAUSES_", extra="ignore")

    api_key: SecretStr | None = Field(default=None, description="when set, /api/* requires the X-API-Key header")
    max_upload_bytes: int = Field(default=25 * MB, gt=0, description="largest document accepted")
    max_batch_bytes: int = Field(default=100 * MB, gt=0, description="largest batch request (all files)")
    max_batch_files: int = Field(default=200, gt=0, description="documents in one batch, after unzipping")
    max_pages: int = Field(default=500, gt=0)
    time_limit: float = Field(default=60.0, gt=0, description="seconds of analysis allowed per document")
    zip_max_entries: int = Field(default=200, gt=0)
    zip_max_total_bytes: int = Field(default=200 * MB, gt=0, description="uncompressed size of one zip")
    zip_max_ratio: float = Field(default=100.0, gt=1, description="uncompressed/compressed size of a zip entry")
    store: Path = Field(default_factory=default_store, description="SQLite file that keeps batch results")
    retention_hours: float = Field(default=24.0, gt=0, description="batch results are deleted after this")
    workers: int = Field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 8)), gt=0,
                         description="documents analysed at once (default: one per CPU core, at most 8)")
    processes: bool = Field(default=True, description="analyse in child processes, one per worker (in parallel "
                                                      "on several cores, and a document over its time limit is "
                                                      "killed); false: on threads of the server process")
    max_queue: int = Field(default=16, ge=0, description="requests waiting for a worker before 503")
    log_level: str = "info"

    @field_validator("max_upload_bytes", "max_batch_bytes", "zip_max_total_bytes", mode="before")
    @classmethod
    def _sizes(cls, value: Any) -> Any:
        return parse_size(value)

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


def get_settings(request: Request) -> Settings:
    """The dependency routes use; tests may replace it with `app.dependency_overrides[get_settings]`."""
    return request.app.state.settings
