"""Limits that protect a process from pathological inputs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000
    # DOCX files are zip archives: refuse archives that expand far beyond their size.
    max_uncompressed_bytes: int = 512 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 10_000


DEFAULT_LIMITS = IngestLimits()
