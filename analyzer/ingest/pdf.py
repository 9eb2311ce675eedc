"""PDF backend: pypdfium2 for fast positioned text, pdfplumber for ruled tables.

pdfium gives one text rectangle per run of text on a line, with its position.
From those the layout module rebuilds lines, columns and paragraphs, and drops
running headers, footers and page numbers. Pages that hold ruled tables are read
again with pdfplumber, which knows cell boundaries.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import threading
from collections.abc import Callable
from ctypes import byref, c_double

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyzer.errors import IngestError, LimitExceededError
from analyzer.ingest.base import Backend, RawBlock, RawDocument, clean_inline
from analyzer.ingest.limits import IngestLimits
from analyzer.ingest.pdf_layout import (
    CELL_GAP_POINTS,
    NUMBER_START,
    Line,
    Segment,
    find_running_lines,
    group_lines,
    margin_noise,
    paragraph_breaks,
    split_columns,
)
from analyzer.ingest.text import join_wrapped
from analyzer.model import BlockKind

log = logging.getLogger(__name__)
_PDFIUM_LOCK = threading.Lock()
# A word, a line break, or other white space, in pdfium's page text.
_WORD_OR_BREAK = re.compile(r"\S+|[\r\n]")  # words and line breaks; the spaces between words are implied


def _unchecked(function: Callable[..., int]) -> Callable[..., int]:
    """The same C function, called without ctypes converting and checking each argument (`argtypes`):
    about 3x cheaper a call. Only for arguments that are C-compatible as given: Python ints that fit a C
    int, ctypes pointers and `byref()` of ctypes values."""
    fast = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.cast(function, ctypes.c_void_p).value)
    fast.argtypes = None
    return fast


# FPDFText_GetCharBox(text_page, index, &left, &right, &bottom, &top): called twice for every word of a PDF
_GET_CHAR_BOX = _unchecked(pdfium_c.FPDFText_GetCharBox)


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise IngestError("encrypted PDF: a password is required to open it") from None
        raise IngestError(f"corrupt or unreadable PDF ({exc})") from None


def _page_segments(page: pdfium.PdfPage) -> list[Segment]:
    """Runs of characters on one line with their boxes, in pdfium's reading order.

    A run ends at a line break, at a jump backwards, or at a horizontal gap wide
    enough to separate table cells; `group_lines` then rebuilds lines from runs.
    """
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) != count:  # pdfium's text is index-aligned with its characters; be safe if not
            text = "".join(textpage.get_text_range(i, 1) for i in range(count))
        # pdfium reports a hyphen that ends a line as U+FFFE (or U+0002 in older builds); keep it a hyphen
        # so that `join_wrapped` can mend the word instead of the control-character filter dropping it.
        text = text.replace("\ufffe", "-").replace("\x02", "-")
        # Boxes are asked per word (first and last character), through the raw call with reused
        # out-parameters: per-character calls through pypdfium2's `get_charbox` were most of the PDF
        # reading time. A word whose two ends disagree (a jump back, another line) is read per character.
        left_out, right_out, bottom_out, top_out = c_double(), c_double(), c_double(), c_double()
        box_refs = (byref(left_out), byref(right_out), byref(bottom_out), byref(top_out))
        get_charbox = _GET_CHAR_BOX
        raw_page = textpage.raw

        def box(index: int) -> tuple[float, float, float, float] | None:
            if not get_charbox(raw_page, index, *box_refs):
                return None  # no box for this character (pdfium fails only on bad indices)
            return left_out.value, bottom_out.value, right_out.value, top_out.value

        segments: list[Segment] = []
        pieces: list[str] = []
        x0 = y0 = x1 = y1 = 0.0
        prev_right = 0.0

        def close() -> None:
            body = clean_inline("".join(pieces))
            if body:
                segments.append(Segment(x0, y0, x1, y1, body))
            pieces.clear()

        def add(piece: str, left: float, bottom: float, right: float, top: float) -> None:
            # conditional expressions instead of min()/max(): this runs once per word of the PDF
            nonlocal x0, y0, x1, y1, prev_right
            height = top - bottom
            if pieces and (
                left - prev_right > CELL_GAP_POINTS
                or left < prev_right - 2 * (height if height > 4.0 else 4.0)
                or bottom > y1
                or top < y0
            ):
                close()
            if not pieces:
                x0, y0, x1, y1 = left, bottom, right, top
            else:
                if left < x0:
                    x0 = left
                if bottom < y0:
                    y0 = bottom
                if right > x1:
                    x1 = right
                if top > y1:
                    y1 = top
            pieces.append(piece)
            prev_right = right

        refs = box_refs
        previous_end = 0
        for match in _WORD_OR_BREAK.finditer(text):
            first, end = match.span()
            if text[first] in "\r\n":
                close()
                previous_end = end
                continue
            if first > previous_end and pieces:
                pieces.append(" ")  # the spaces before this word (clean_inline collapses runs anyway)
            previous_end = end
            last = end - 1
            # the word's first and last characters, read inline: this loop runs for every word of the PDF
            if get_charbox(raw_page, first, *refs):
                left, bottom, right, top = left_out.value, bottom_out.value, right_out.value, top_out.value
                if last == first:  # a one-character word has one box
                    add(match.group(), left, bottom, right, top)
                    continue
                if get_charbox(raw_page, last, *refs):
                    t_left, t_bottom, t_right, t_top = left_out.value, bottom_out.value, right_out.value, top_out.value
                    if t_left >= left and t_bottom <= top and t_top >= bottom:
                        add(match.group(), left, t_bottom if t_bottom < bottom else bottom,
                            t_right if t_right > right else right, t_top if t_top > top else top)
                        continue
            for index in range(first, last + 1):  # an unusual word: character by character
                char_box = box(index)
                if char_box is not None:
                    add(text[index], *char_box)
        close()
        return segments
    finally:
        textpage.close()


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _ruled_table_rows(data: bytes, page_numbers: list[int]) -> dict[int, list[tuple[float, float, list[str]]]]:
    """Rows of ruled tables per page, from pdfplumber: (top, bottom, cells) in PDF points from the top."""
    import pdfplumber

    found: dict[int, list[tuple[float, float, list[str]]]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in page_numbers:
            page = pdf.pages[number - 1]
            for table in page.find_tables():
                # extract() reads every cell in one pass over the page's characters
                for row, texts in zip(table.rows, table.extract(), strict=False):
                    boxes = [c for c in row.cells if c is not None]
                    if not boxes:
                        continue
                    top = min(c[1] for c in boxes)
                    bottom = max(c[3] for c in boxes)
                    cells = [clean_inline(text or "") for text in texts if text is not None]
                    found.setdefault(number, []).append((top, bottom, cells))
    return found


def _has_wrapped_cells(lines: list[Line]) -> bool:
    """Rows whose cells wrap onto more lines: a single-cell line indented into a column right after a
    multi-cell row. Only then is pdfplumber's slow table reading worth it; single-line rows are read
    correctly from pdfium's positions already."""
    if sum(ln.is_table_row for ln in lines) < 2:
        return False
    left = min(ln.x0 for ln in lines)
    return any(prev.is_table_row and not line.is_table_row and line.x0 > left + 30
               for prev, line in zip(lines, lines[1:], strict=False))


def _has_rules(page: pdfium.PdfPage) -> bool:
    """Cheap test for drawn lines or rectangles (candidate ruled tables)."""
    for count, _ in enumerate(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1), start=1):
        if count >= 6:
            return True
    return False


_NOTICE_MIN_CHARS = 40


def drop_repeated_notices(blocks: list[RawBlock], pages: int = 3) -> list[RawBlock]:
    """Drop a paragraph printed word for word on `pages` pages or more ("[*] Confidential portions omitted
    and filed separately ..."): a legend of the filing that sits mid-page, where running-footer detection
    does not look. A clause is not repeated verbatim across pages; table rows may be, and are kept."""
    seen: dict[str, set[int | None]] = {}
    for block in blocks:
        if block.kind == BlockKind.PARAGRAPH and len(block.text) >= _NOTICE_MIN_CHARS:
            seen.setdefault(block.text, set()).add(block.page)
    repeated = {text for text, on in seen.items() if len(on) >= pages}
    return [b for b in blocks if not (b.kind == BlockKind.PARAGRAPH and b.text in repeated)]


class PdfBackend(Backend):
    format = "pdf"

    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument:
        # PDFium is not thread-safe: one document at a time per process (threads in the service wait here).
        with _PDFIUM_LOCK:
            return self._read(data, limits)

    def _read(self, data: bytes, limits: IngestLimits) -> RawDocument:
        pdf = _open(data)
        try:
            n_pages = len(pdf)
            if n_pages > limits.max_pages:
                raise LimitExceededError(f"{n_pages} pages (limit {limits.max_pages})")
            page_lines: list[list[Line]] = []
            heights: list[float] = []
            empty_pages: list[int] = []
            table_candidates: list[int] = []
            for index in range(n_pages):
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    segments = _page_segments(page)
                    if not segments and _has_images(page):
                        empty_pages.append(index + 1)
                    lines: list[Line] = []
                    for region in split_columns(segments, width):
                        lines.extend(group_lines(region))
                    if _has_wrapped_cells(lines) and _has_rules(page):
                        table_candidates.append(index + 1)
                    page_lines.append(lines)
                    heights.append(height)
                finally:
                    page.close()
        finally:
            pdf.close()
        if empty_pages and len(empty_pages) == n_pages:
            raise IngestError(
                f"no text layer on any of its {n_pages} page(s): a scanned PDF needs OCR before analysis"
            )
        tables = _ruled_table_rows(data, table_candidates) if table_candidates else {}
        running = find_running_lines(page_lines)
        blocks = drop_repeated_notices(self._blocks(page_lines, heights, running, tables))
        return RawDocument(blocks=blocks, page_count=n_pages, empty_pages=empty_pages)

    def _blocks(self, page_lines, heights, running, tables) -> list[RawBlock]:
        blocks: list[RawBlock] = []
        open_lines: list[str] = []
        open_page = 1

        def flush() -> None:
            nonlocal open_lines
            if open_lines:
                text = clean_inline(join_wrapped(open_lines))
                if text:
                    blocks.append(RawBlock(BlockKind.PARAGRAPH, text, page=open_page))
            open_lines = []

        for number, (lines, height) in enumerate(zip(page_lines, heights, strict=True), start=1):
            noise = margin_noise(lines, running)
            lines = [ln for ln in lines if id(ln) not in noise]
            ruled = tables.get(number, [])
            emitted_rows: set[int] = set()
            breaks = paragraph_breaks(lines)
            for i, (line, new) in enumerate(zip(lines, breaks, strict=True)):
                row_index = self._ruled_row(line, height, ruled)
                if row_index is not None:
                    flush()
                    if row_index not in emitted_rows:
                        emitted_rows.add(row_index)
                        row = " | ".join(c for c in ruled[row_index][2] if c)
                        if row:
                            blocks.append(RawBlock(BlockKind.TABLE_ROW, row, page=number))
                    continue
                if line.is_table_row and self._in_table(lines, i):
                    flush()
                    blocks.append(RawBlock(BlockKind.TABLE_ROW, line.text, page=number))
                    continue
                continues_page = i == 0 and open_lines and not new_paragraph_at_page_top(open_lines, line)
                if new and not continues_page:
                    flush()
                if not open_lines:
                    open_page = number
                open_lines.append(line.text)
        flush()
        return blocks

    @staticmethod
    def _in_table(lines: list[Line], index: int) -> bool:
        """A multi-cell line is a table row only beside another one; alone it is a line with a gap
        (a fill-in blank, a tab stop) and reads as text."""
        neighbours = [lines[j] for j in (index - 1, index + 1) if 0 <= j < len(lines)]
        return any(n.is_table_row for n in neighbours)

    @staticmethod
    def _ruled_row(line: Line, height: float, ruled) -> int | None:
        if not ruled:
            return None
        top = height - line.top
        bottom = height - line.bottom
        for index, (row_top, row_bottom, _cells) in enumerate(ruled):
            if top >= row_top - 1 and bottom <= row_bottom + 1:
                return index
        return None


def new_paragraph_at_page_top(previous_lines: list[str], line: Line) -> bool:
    """A paragraph runs on across a page break unless the last page ended a sentence."""
    last = previous_lines[-1].rstrip()
    return last.endswith((".", ":", ";", "?", "!")) or last.isupper() or bool(NUMBER_START.match(line.text))
