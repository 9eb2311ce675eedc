"""DOCX backend: body paragraphs and tables in order, Word numbering rendered.

Headers, footers, comments and footnotes live in other parts of the package and
never reach the body text. Deleted (and moved-away) tracked changes are skipped; inserted ones kept.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn

from analyzer.errors import IngestError, LimitExceededError
from analyzer.ingest.base import Backend, RawBlock, RawDocument, clean_inline
from analyzer.ingest.docx_numbering import NumberingResolver
from analyzer.ingest.limits import IngestLimits
from analyzer.model import BlockKind

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.IGNORECASE)
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_DEL, _W_P, _W_TBL, _W_SDT = qn("w:del"), qn("w:p"), qn("w:tbl"), qn("w:sdt")
_W_MOVE_FROM = qn("w:moveFrom")  # the old place of tracked moved text: shown struck through, like a deletion
_W_NOBREAK_HYPHEN, _W_PAGE_MARK = qn("w:noBreakHyphen"), qn("w:lastRenderedPageBreak")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def check_zip(data: bytes, limits: IngestLimits) -> zipfile.ZipFile:
    """Open a zip only if it is not a bomb: entry count, total size and ratio are bounded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise IngestError(f"corrupt DOCX (not a valid zip archive: {exc})") from None
    infos = archive.infolist()
    if len(infos) > limits.max_zip_entries:
        raise LimitExceededError(f"archive has {len(infos)} entries (limit {limits.max_zip_entries})")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > limits.max_uncompressed_bytes:
        raise LimitExceededError(f"archive expands to {total} bytes (limit {limits.max_uncompressed_bytes})")
    if total / packed > limits.max_compression_ratio and total > 10 * 1024 * 1024:
        raise LimitExceededError(f"archive compression ratio {total / packed:.0f}:1 looks like a zip bomb")
    return archive


def _paragraph_text(p) -> tuple[str, bool]:
    """Text of a w:p as Word shows it, and whether a page break was rendered inside it."""
    parts: list[str] = []
    page_break = False
    stack = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if tag in (_W_DEL, _W_MOVE_FROM, _MC_FALLBACK) or tag == _W_P and el is not p:
            continue
        if tag == _W_T:
            parts.append(el.text or "")
        elif tag in (_W_TAB, _W_CR):
            parts.append(" ")
        elif tag == _W_BR:
            parts.append(" ")
            page_break |= el.get(qn("w:type")) == "page"
        elif tag == _W_NOBREAK_HYPHEN:
            parts.append("-")
        elif tag == _W_PAGE_MARK:
            page_break = True
        stack.append(iter(el))
    return clean_inline("".join(parts)), page_break


def _mark_deleted(ppr) -> bool:
    """Whether the paragraph mark is a tracked deletion (the paragraph goes away on accepting)."""
    rpr = ppr.find(qn("w:rPr")) if ppr is not None else None
    return rpr is not None and (rpr.find(_W_DEL) is not None or rpr.find(_W_MOVE_FROM) is not None)


class DocxBackend(Backend):
    format = "docx"

    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument:
        archive = check_zip(data, limits)
        if "word/document.xml" not in archive.namelist():
            raise IngestError("zip archive without word/document.xml: not a DOCX file")
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many types on malformed packages
            raise IngestError(f"corrupt DOCX ({type(exc).__name__}: {str(exc)[:120]})") from None
        self.numbering = NumberingResolver.from_document(document)
        self.blocks: list[RawBlock] = []
        self.page = 1
        self.saw_page_marks = False
        self._walk(document.element.body)
        page_count = self.page if self.saw_page_marks else 0
        if not page_count:
            for b in self.blocks:
                b.page = None
        return RawDocument(blocks=self.blocks, page_count=page_count)

    def _walk(self, container) -> None:
        for el in container.iterchildren():
            if el.tag == _W_P:
                self._paragraph(el)
            elif el.tag == _W_TBL:
                self._table(el)
            elif el.tag == _W_SDT:
                content = el.find(qn("w:sdtContent"))
                if content is not None:
                    self._walk(content)

    def _paragraph(self, p) -> None:
        text, page_break = _paragraph_text(p)
        ppr = p.find(qn("w:pPr"))
        style_id = None
        if ppr is not None and ppr.find(qn("w:pStyle")) is not None:
            style_id = ppr.find(qn("w:pStyle")).get(qn("w:val"))
        level = self._heading_level(ppr, style_id)
        num_id, ilvl = self.numbering.numbering_of(ppr, style_id)
        # Word shows (and counts) the number of an empty list paragraph, unless the paragraph itself
        # is a tracked deletion; skipping it would shift every later number in the list.
        counted = bool(text) or not _mark_deleted(ppr)
        number, is_bullet = self.numbering.next_label(num_id, ilvl) if counted else (None, False)
        if text:
            if level is not None:
                kind = BlockKind.HEADING
            elif number or is_bullet:
                kind = BlockKind.LIST_ITEM
            else:
                kind = BlockKind.PARAGRAPH
            shown = f"{number} {text}" if number else text
            self.blocks.append(RawBlock(kind, shown, page=self.page, level=level, number=number))
        if page_break:
            self.saw_page_marks = True
            self.page += 1

    def _heading_level(self, ppr, style_id: str | None) -> int | None:
        outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if outline is not None and (val := outline.get(qn("w:val"), "")).isdigit() and int(val) < 9:
            return int(val) + 1
        for style in self.numbering.style_chain(style_id):
            if style.name.lower() == "title":
                return 1
            if m := _HEADING_STYLE.match(style.name):
                return int(m.group(1))
            if style.outline_level is not None and style.outline_level < 9:
                return style.outline_level + 1
        return None

    def _table(self, tbl) -> None:
        for tr in tbl.findall(qn("w:tr")):  # rows of nested tables are read as part of their cell
            cells = []
            for tc in tr.findall(qn("w:tc")):
                tcpr = tc.find(qn("w:tcPr"))
                vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
                if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                    continue
                texts = [_paragraph_text(p)[0] for p in tc.iter(_W_P)]
                cell = " ".join(t for t in texts if t)
                if cell:
                    cells.append(cell)
            row = " | ".join(cells)
            if row:
                self.blocks.append(RawBlock(BlockKind.TABLE_ROW, row, page=self.page))
