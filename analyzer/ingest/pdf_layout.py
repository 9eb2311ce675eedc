"""Layout analysis on positioned text segments: lines, columns, running headers.

Kept apart from the PDF library so that it can be tested with hand-made segments.
Coordinates are PDF points with the origin at the bottom left (y grows upwards).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from analyzer.ingest.text import PAGE_LABEL, PAGE_NUMBER_LINE


@dataclass
class Segment:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Line:
    segments: list[Segment] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.segments)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.segments)

    @property
    def top(self) -> float:
        return max(s.y1 for s in self.segments)

    @property
    def bottom(self) -> float:
        return min(s.y0 for s in self.segments)

    @property
    def height(self) -> float:
        return max(s.y1 - s.y0 for s in self.segments)

    @property
    def text(self) -> str:
        return " | ".join(self.cells) if len(self.cells) > 1 else (self.cells[0] if self.cells else "")

    @property
    def is_table_row(self) -> bool:
        return len(self.cells) > 1


CELL_GAP_POINTS = 18.0
HANGING_NUMBER = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|\(?[a-zA-Z]{1,2}[.)]|\(?[ivxIVX]{1,5}[.)]|[\u2022\u25cf\u25aa\u2013*-]|"
    r"(?:article|section)\s+[\dIVXLC]+\.?)$",
    re.IGNORECASE,
)  # a horizontal gap this wide inside a line separates table cells


def group_lines(segments: list[Segment]) -> list[Line]:
    """Group segments whose vertical centres are close into lines, top to bottom."""
    lines: list[Line] = []
    for seg in sorted(segments, key=lambda s: (-(s.y0 + s.y1) / 2, s.x0)):
        centre = (seg.y0 + seg.y1) / 2
        if lines:
            last = lines[-1]
            last_centre = (last.top + last.bottom) / 2
            if abs(centre - last_centre) <= max(2.0, 0.5 * min(last.height, seg.y1 - seg.y0)):
                last.segments.append(seg)
                continue
        lines.append(Line([seg]))
    for line in lines:
        line.segments.sort(key=lambda s: s.x0)
        cells: list[str] = []
        prev: Segment | None = None
        for seg in line.segments:
            text = seg.text.strip()
            if not text:
                continue
            if prev is not None and cells and seg.x0 - prev.x1 < CELL_GAP_POINTS:
                cells[-1] = cells[-1] + ("" if cells[-1].endswith("-") else " ") + text
            else:
                cells.append(text)
            prev = seg
        if len(cells) > 1 and HANGING_NUMBER.match(cells[0]):
            # "1.1." set in its own column (hanging indent) belongs to the text beside it.
            cells[:2] = [f"{cells[0]} {cells[1]}"]
        line.cells = cells
    return [ln for ln in lines if ln.cells]


def split_columns(segments: list[Segment], page_width: float) -> list[list[Segment]]:
    """Split a page into reading-order regions when it is set in two columns.

    A page is two-column when many segments sit wholly in each half at the same
    heights and almost none cross the gutter. Full-width segments above the columns
    (a title) come first, then the left column, then the right column.
    """
    mid = page_width / 2
    slack = 0.02 * page_width
    left = [s for s in segments if s.x1 <= mid + slack]
    right = [s for s in segments if s.x0 >= mid - slack and s.x1 > mid + slack]
    spanning = [s for s in segments if s.x1 > mid + slack and s.x0 < mid - slack]
    if len(left) < 5 or len(right) < 5:
        return [segments]
    right_heights = [(s.y0, s.y1) for s in right]
    side_by_side = sum(1 for s in left if any(a < s.y1 and s.y0 < b for a, b in right_heights))
    if side_by_side < 0.5 * min(len(left), len(right)):
        return [segments]
    column_top = max(s.y1 for s in left + right)
    above = [s for s in spanning if s.y0 >= column_top - 1]
    below = [s for s in spanning if s.y0 < column_top - 1]
    if len(below) > 0.1 * len(segments):
        return [segments]
    regions = [above, left, right, below]
    return [r for r in regions if r]


def _normalize_repeating(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


EDGE_LINES = 5  # running headers and footers live in the first or last lines of a page


def edge_lines(lines: list[Line]) -> list[Line]:
    """The topmost and bottommost lines of a page, where headers and footers sit."""
    ordered = sorted(lines, key=lambda ln: -ln.top)
    return ordered[:EDGE_LINES] + ordered[-EDGE_LINES:] if len(ordered) > 2 * EDGE_LINES else ordered


def find_running_lines(pages: list[list[Line]]) -> set[str]:
    """Normalized texts of lines repeated at the top or bottom of many pages."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_normalize_repeating(line.text) for line in edge_lines(lines)})
    threshold = max(3, 0.4 * len(pages))
    return {text for text, n in counts.items() if n >= threshold and text}


def margin_noise(lines: list[Line], running: set[str]) -> set[int]:
    """ids of lines that are page numbers or running headers/footers."""
    noise = {id(line) for line in lines if PAGE_NUMBER_LINE.match(line.text)
             or (len(line.text) < 80 and PAGE_LABEL.search(line.text))}
    for line in edge_lines(lines):
        if _normalize_repeating(line.text) in running:
            noise.add(id(line))
    return noise


NUMBER_START = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.?\s|\(?[a-z]\)\s|\([ivx]{1,5}\)\s|"
    r"(?:article|section|schedule|annex|exhibit|appendix)\s+[\dIVXLC]+\b|[\u2022\u25cf\u25aa\-\u2013*]\s)",
    re.IGNORECASE,
)
FILLER = re.compile(r"^[\s_.\-|]+$")
_ENDS_SENTENCE = re.compile(r"[.:;!?)\]\"\u201d]$")


def paragraph_breaks(lines: list[Line]) -> list[bool]:
    """For each line, whether it opens a new paragraph."""
    if not lines:
        return []
    gaps = [lines[i - 1].bottom - lines[i].top for i in range(1, len(lines))]
    normal_gap = median([g for g in gaps if g >= -1] or [2.0])
    left_margin = min(ln.x0 for ln in lines)
    right_margin = max(ln.x1 for ln in lines)
    width = max(right_margin - left_margin, 1.0)
    breaks = [True]
    for i in range(1, len(lines)):
        prev, line = lines[i - 1], lines[i]
        gap = prev.bottom - line.top
        prev_short = prev.x1 < right_margin - 0.15 * width
        prev_ends = bool(_ENDS_SENTENCE.search(prev.text))
        starts_number = bool(NUMBER_START.match(line.text))
        indented = line.x0 > left_margin + 8
        if FILLER.match(line.text) or FILLER.match(prev.text):
            breaks.append(False)  # a line of blanks to fill in belongs with the text around it
            continue
        new = (
            line.is_table_row
            or prev.is_table_row
            or gap > max(normal_gap * 1.6, normal_gap + 3)
            or (starts_number and (prev_ends or prev_short))
            or (prev_short and prev_ends)
            or (indented and prev_ends and prev.x0 <= line.x0 - 8)
            or (prev_short and prev.text.isupper() and len(prev.text) < 80)
        )
        breaks.append(new)
    return breaks
