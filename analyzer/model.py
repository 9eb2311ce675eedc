"""The one document model every stage shares.

`Document` (from ingest) -> `Clause`s (from segmentation) -> labels and `Target`s
-> `Finding`s -> `Report`. Offsets are half-open character offsets into
`Document.text`; every stage keeps `document.text[start:end] == thing.text` true.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"


class Page(BaseModel):
    number: int = Field(description="1-based page number")
    start: int
    end: int
    has_text: bool = True


class Block(BaseModel):
    """A unit of layout: a heading, a paragraph, a list item or a table row."""

    kind: BlockKind
    text: str
    start: int
    end: int
    page: int | None = None
    level: int | None = Field(default=None, description="heading level (1 = top) when known")
    number: str | None = Field(
        default=None, description="number the source rendered outside the text (Word list numbering)"
    )


class Document(BaseModel):
    """A file read into plain text plus its layout."""

    file_name: str
    sha256: str
    format: Literal["pdf", "docx", "txt", "md", "html"]
    text: str
    pages: list[Page] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """Page number holding a character offset (None for formats without pages)."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None


class LabelScore(BaseModel):
    label: str
    score: float


class Clause(BaseModel):
    id: str = Field(description="stable id within the report, e.g. 'c12'")
    number: str | None = Field(default=None, description="number as written: '3.2', '(a)', 'Schedule 2'")
    heading: str | None = Field(default=None, description="the clause's own heading, if any")
    heading_path: list[str] = Field(default_factory=list, description="enclosing headings, outermost first")
    text: str
    start: int
    end: int
    pages: list[int] = Field(default_factory=list)
    kind: BlockKind = BlockKind.PARAGRAPH
    labels: list[LabelScore] = Field(default_factory=list)

    @property
    def context_heading(self) -> str | None:
        """The heading the classifier sees: own heading, else the nearest enclosing one."""
        if self.heading:
            return self.heading
        return self.heading_path[-1] if self.heading_path else None


class Target(BaseModel):
    """A number the contract commits to (taxonomy.md, 'Numeric targets')."""

    metric: str
    comparator: Literal["<=", ">=", "==", "<", ">"]
    value: float | None
    unit: str
    normalized: float | None = None
    share: float | None = None
    channel: str | None = None
    priority: str | None = None
    period: str | None = None
    business_hours: bool = False
    text: str
    start: int
    end: int
    clause_id: str | None = None


Severity = Literal["high", "medium", "low"]


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str
    suggestion: str = ""
    clause_id: str | None = Field(default=None, description="None when the finding is about the whole document")
    start: int | None = None
    end: int | None = None
    text: str | None = None


class DocumentInfo(BaseModel):
    file_name: str
    sha256: str
    format: str
    pages: int
    characters: int
    warnings: list[str] = Field(default_factory=list)
    doc_type: str | None = None
    doc_type_reason: str | None = None


class Report(BaseModel):
    """What `analyze` returns and every renderer reads. JSON is the source of truth."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    analyzer_version: str
    document: DocumentInfo
    clauses: list[Clause] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    coverage: dict[str, bool] = Field(default_factory=dict)
    playbook: str | None = None
    completeness: float | None = Field(default=None, description="0-100, weighted by severity")
    text: str | None = Field(default=None, description="full document text (offsets point into it)")
