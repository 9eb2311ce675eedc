"""What every format backend produces, and how it becomes a `Document`.

Backends emit `RawBlock`s (kind, text, page); `DocumentBuilder` lays them end to end
with blank lines between them, so that offsets in `Document.text` are exact by
construction and every backend shares one notion of text.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from analyzer.ingest.limits import IngestLimits
from analyzer.model import Block, BlockKind, Document, Page

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

BLOCK_SEPARATOR = "\n\n"


def clean_inline(text: str) -> str:
    """Collapse runs of spaces, drop control characters and soft hyphens; keep line breaks out."""
    text = _CONTROL.sub("", text.replace("\u00ad", "").replace("\u037e", ";"))  # Greek question mark = ";"
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ")
    return _SPACES.sub(" ", text).strip()


@dataclass
class RawBlock:
    kind: BlockKind
    text: str
    page: int | None = None
    level: int | None = None
    number: str | None = None


@dataclass
class RawDocument:
    blocks: list[RawBlock]
    page_count: int = 0
    empty_pages: list[int] | None = None
    warnings: list[str] | None = None


class Backend(ABC):
    """Reads one format. `read` raises `IngestError` with a one-line reason on bad input."""

    format: str

    @abstractmethod
    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument: ...


class DocumentBuilder:
    def build(self, raw: RawDocument, data: bytes, file_name: str, fmt: str) -> Document:
        parts: list[str] = []
        blocks: list[Block] = []
        offset = 0
        for rb in raw.blocks:
            text = rb.text.strip()
            if not text:
                continue
            if parts:
                parts.append(BLOCK_SEPARATOR)
                offset += len(BLOCK_SEPARATOR)
            start = offset
            parts.append(text)
            offset += len(text)
            blocks.append(
                Block(kind=rb.kind, text=text, start=start, end=offset, page=rb.page, level=rb.level,
                      number=rb.number)
            )
        text = "".join(parts)
        pages = self._pages(raw, blocks, len(text))
        warnings = list(raw.warnings or [])
        if raw.empty_pages:
            listed = ", ".join(str(n) for n in raw.empty_pages[:50])
            more = "" if len(raw.empty_pages) <= 50 else f" and {len(raw.empty_pages) - 50} more"
            warnings.append(
                f"{len(raw.empty_pages)} page(s) have no text layer (scanned images?); "
                f"their content is not analyzed: page {listed}{more}"
            )
        return Document(
            file_name=file_name,
            sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,  # type: ignore[arg-type]
            text=text,
            pages=pages,
            blocks=blocks,
            warnings=warnings,
        )

    @staticmethod
    def _pages(raw: RawDocument, blocks: list[Block], length: int) -> list[Page]:
        if not raw.page_count:
            return []
        empty = set(raw.empty_pages or [])
        spans: dict[int, list[int]] = {}
        for b in blocks:
            if b.page is not None:
                span = spans.setdefault(b.page, [b.start, b.end])
                span[1] = b.end
        pages = []
        cursor = 0
        for number in range(1, raw.page_count + 1):
            if number in spans:
                end = spans[number][1]
                pages.append(Page(number=number, start=cursor, end=end, has_text=number not in empty))
                cursor = end
            else:
                pages.append(Page(number=number, start=cursor, end=cursor, has_text=number not in empty))
        if pages:
            pages[-1] = pages[-1].model_copy(update={"end": max(pages[-1].end, length)})
        return pages
