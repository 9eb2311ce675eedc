"""Plain text and Markdown backends.

Text files arrive in any encoding: BOMs and UTF-8 first, then charset-normalizer's
guess. Paragraphs are blank-line separated; hard-wrapped lines are joined, and a
line that opens with a clause number starts a new paragraph.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from charset_normalizer import from_bytes

from analyzer.errors import IngestError
from analyzer.ingest.base import Backend, RawBlock, RawDocument, clean_inline
from analyzer.ingest.limits import IngestLimits
from analyzer.model import BlockKind

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# A bare page number or a page label on its own line: "12", "- 12 -", "Page 3 of 10".
PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-\u2013\u2014]?\s*\d{1,4}\s*[-\u2013\u2014]?|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|[ivxlc]{1,6})\s*$",
    re.IGNORECASE,
)
PAGE_LABEL = re.compile(r"\bpage\s+\d{1,4}\s+of\s+\d{1,4}\b", re.IGNORECASE)
# A line that starts a new clause even without a blank line before it: "2.3 ", "4. ", "(b) ", "Article 5".
_NUMBERED_START = re.compile(
    r"^\s*(?:\d{1,3}(?:\.\d{1,3})+\.?\s|\d{1,3}[.)]\s|\(?[a-z]{1,2}\)\s|\(?[ivxlc]{1,6}\)\s|"
    r"(?:article|section|schedule|annex|exhibit|appendix)\s+[\dIVXLC]+\b)",
    re.IGNORECASE,
)
# "4 Fees" also numbers a clause, but "30 days" or "4 hours" at the start of a wrapped line does not:
# a bare number starts a clause only before a capital and after a line that ended a sentence or heading.
_BARE_NUMBER_START = re.compile(r"^\s*\d{1,2}\s+[A-Z\"\u201c(]")
_ENDS_SENTENCE = re.compile(r"[.:;!?)]\s*$")
# The previous line runs on into the number: "... as set out in clause" / "2.3 of Schedule 1".
_RUNS_ON = re.compile(
    r"(?:,|\b(?:and|or|section|sections|clause|clauses|paragraph|paragraphs|article|schedule|annex|exhibit|"
    r"appendix|to|of|in|under|per|than|with|within|by|no\.))\s*$",
    re.IGNORECASE,
)
_LIST_JOINER = re.compile(r";\s*(?:and|or)?\s*$", re.IGNORECASE)  # "(a) ...; and" / "(b) ..."


def decode_text(data: bytes, file_name: str) -> str:
    """Decode bytes of a text file, whatever its encoding; refuse binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if b"\x00" in data[:4096]:
        raise IngestError("binary content, not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is None:
        raise IngestError("binary content, not a text document")
    encoding = best.encoding
    # Short Western text often scores exactly the same in cp1250 and cp1252, and charset-normalizer then
    # lists cp1250 first ("crème" would read "crčme"). On a tie, Windows-1252 is the likelier encoding.
    if encoding != "cp1252" and any(
        m.encoding == "cp1252" and m.chaos <= best.chaos and m.coherence >= best.coherence for m in matches
    ):
        encoding = "cp1252"
    return data.decode(encoding, errors="replace")


def _starts_clause(line: str, previous: str) -> bool:
    """Whether a line opens a new numbered paragraph although no blank line comes before it."""
    if _NUMBERED_START.match(line):
        return not _RUNS_ON.search(previous) or bool(_LIST_JOINER.search(previous))
    if _BARE_NUMBER_START.match(line):
        stripped = previous.strip()
        return bool(_ENDS_SENTENCE.search(stripped)) or (stripped.isupper() and len(stripped) < 80)
    return False


def _split_paragraphs(lines: list[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        if current and _starts_clause(line, current[-1]):
            paragraphs.append(current)
            current = []
        current.append(line)
    if current:
        paragraphs.append(current)
    return paragraphs


def join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines, mending words hyphenated across a line end."""
    out = ""
    for line in lines:
        line = line.strip()
        if not out:
            out = line
        elif re.search(r"[A-Za-z]-$", out) and line[:1].islower():
            out = out[:-1] + line
        else:
            out = out + " " + line
    return out


class TextBackend(Backend):
    format = "txt"

    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument:
        text = decode_text(data, file_name).replace("\r\n", "\n").replace("\r", "\n")
        lines = []
        for line in text.replace("\f", "\n\n").split("\n"):
            # only in very long lines: short ones use runs of spaces for indentation and alignment
            lines.extend(_WIDE_GAP.sub(_gap_to_break, line).split("\n") if len(line) > 400 else [line])
        running = repeated_lines(lines)
        blocks = []
        for para in _split_paragraphs(lines):
            kept = [ln for ln in para if not PAGE_NUMBER_LINE.match(ln) and ln.strip() not in running
                    and not (len(ln.strip()) < 120 and PAGE_LABEL.search(ln))]
            table = aligned_table(kept)
            if table:  # a table laid out with runs of spaces: one row per line
                blocks.extend(RawBlock(BlockKind.TABLE_ROW, " | ".join(cells)) for cells in table)
                continue
            joined = clean_inline(join_wrapped(kept))
            if joined:
                blocks.append(RawBlock(BlockKind.PARAGRAPH, joined))
        return RawDocument(blocks=strip_repeated_openings(blocks))


# Text exported from PDFs often keeps a lost line break as a run of spaces inside a line.
_WIDE_GAP = re.compile(r"(?<=\S)[ \t]{3,}(?=\S)")
_CELL_TEXT = re.compile(r"\d|\b(?:business|working)\s+day\b", re.IGNORECASE)


def aligned_cells(line: str) -> list[str] | None:
    """The cells of a table row laid out with runs of spaces ("P1   15 minutes   1 hour"), or None.

    At least three cells of at most eight words each: a sentence with a wide gap or two is not a row.
    """
    cells = [clean_inline(c) for c in _WIDE_GAP.split(line.strip())]
    if len(cells) < 3 or any(len(c) > 60 or len(c.split()) > 8 for c in cells):
        return None
    return cells


def aligned_table(lines: list[str]) -> list[list[str]] | None:
    """Rows of a paragraph whose every line is a space-aligned row and which holds a number somewhere
    (a row of labels alone, "Name   Title   Date", is a form, not a table)."""
    rows = [aligned_cells(line) for line in lines]
    if not rows or any(r is None for r in rows):
        return None
    table = [r for r in rows if r is not None]
    return table if any(_CELL_TEXT.search(c) for r in table for c in r) else None


def _gap_to_break(m: re.Match[str]) -> str:
    before = m.string[m.start() - 1]
    return "\n\n" if before in ".:;" else "\n"


_FIRST_SENTENCE = re.compile(r"^(.{40,300}?[.!?])\s+(?=\S)")


def repeated_lines(lines: list[str], times: int = 3) -> set[str]:
    """Running headers and footers of a text export: lines repeated verbatim three times or more, and
    short reference lines (a date, a document number, an address with a telephone number) repeated twice."""
    counts = Counter(ln.strip() for ln in lines if len(ln.strip()) >= 6)
    return {line for line, n in counts.items()
            if not _NUMBERED_START.match(line) and len(line) < 200
            and ((n >= times and len(line) >= 12 and re.search(r"[A-Za-z]{3}", line))
                 or (n >= 2 and _is_reference_line(line)))}


def _is_reference_line(line: str) -> bool:
    """"03/01/05", "D/WLM/717334.1", "607-1295 Richards Street 604.684.2255": a digit-bearing short line that
    is not a sentence (no full stop at its end, at most six words)."""
    return (len(line) <= 80 and bool(re.search(r"\d", line)) and not line.endswith((".", ":", ";"))
            and len(line.split()) <= 6 and not re.search(r"\b(?:shall|will|must|days?|hours?|months?|%)", line, re.I))


def strip_repeated_openings(blocks: list[RawBlock], times: int = 3) -> list[RawBlock]:
    """Drop a sentence that opens many paragraphs (a page-top notice run into the text)."""
    openings = Counter(m.group(1) for b in blocks if (m := _FIRST_SENTENCE.match(b.text)))
    repeated = {sentence for sentence, n in openings.items() if n >= times}
    if not repeated:
        return blocks
    out = []
    for block in blocks:
        m = _FIRST_SENTENCE.match(block.text)
        if m and m.group(1) in repeated:
            block = RawBlock(block.kind, block.text[m.end():], block.page, block.level, block.number)
        elif block.text in repeated:
            continue
        if block.text.strip():
            out.append(block)
    return out


# ------------------------------------------------------------------ Markdown
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_MD_ORDERED = re.compile(r"^(\s*)(\d{1,3})[.)]\s+(.*)$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_LINK_REF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")
_EMPH_UNDERSCORE = re.compile(r"(?<!\w)_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)")
_CODE = re.compile(r"`([^`]*)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")


_BLANK = re.compile(r"_{3,}")
_BLANK_MARK = "\ue000"  # stands in for "_" in fill-in blanks while emphasis markers are removed


def clean_markdown_inline(text: str) -> str:
    # "Name: ________" is a blank to fill in, not emphasis: keep it whole.
    text = _BLANK.sub(lambda m: _BLANK_MARK * len(m.group()), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPH_STAR.sub(r"\1", text)
    text = _EMPH_UNDERSCORE.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return clean_inline(html.unescape(text)).replace(_BLANK_MARK, "_")


def _pipe_table_lines(lines: list[str]) -> set[int]:
    """Indexes of lines in GitHub tables written without leading pipes ("a | b" over "--- | ---")."""
    found: set[int] = set()
    for i in range(1, len(lines)):
        if _MD_TABLE_SEP.match(lines[i]) and "|" in lines[i] and "|" in lines[i - 1]:
            j = i - 1
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                found.add(j)
                j += 1
    return found


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[text.find("\n", end + 1) + 1 :] if text.find("\n", end + 1) != -1 else ""
    return text


class MarkdownBackend(Backend):
    format = "md"

    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument:
        text = decode_text(data, file_name).replace("\r\n", "\n").replace("\r", "\n")
        text = _HTML_COMMENT.sub("", _strip_front_matter(text))
        blocks: list[RawBlock] = []
        paragraph: list[str] = []
        para_kind = BlockKind.PARAGRAPH
        in_fence = False

        def flush() -> None:
            nonlocal paragraph, para_kind
            if paragraph:
                joined = clean_markdown_inline(join_wrapped(paragraph))
                if joined and not PAGE_NUMBER_LINE.match(joined):
                    blocks.append(RawBlock(para_kind, joined))
            paragraph = []
            para_kind = BlockKind.PARAGRAPH

        lines = text.split("\n")
        table_lines = _pipe_table_lines(lines)
        for index, line in enumerate(lines):
            if line.strip().startswith(("```", "~~~")):
                flush()
                in_fence = not in_fence
                continue
            if in_fence:
                if line.strip():
                    blocks.append(RawBlock(BlockKind.PARAGRAPH, clean_inline(line)))
                continue
            if not line.strip() or _MD_RULE.match(line) or _MD_LINK_REF.match(line):
                flush()
                continue
            if m := _MD_HEADING.match(line):
                flush()
                blocks.append(RawBlock(BlockKind.HEADING, clean_markdown_inline(m.group(2)), level=len(m.group(1))))
                continue
            if line.lstrip().startswith("|") or index in table_lines:
                flush()
                if _MD_TABLE_SEP.match(line):
                    continue
                cells = [clean_markdown_inline(c) for c in line.strip().strip("|").split("|")]
                row = " | ".join(c for c in cells if re.search(r"\w", c))
                if row:
                    blocks.append(RawBlock(BlockKind.TABLE_ROW, row))
                continue
            if m := _MD_BULLET.match(line):
                flush()
                paragraph, para_kind = [m.group(2)], BlockKind.LIST_ITEM
                continue
            if m := _MD_ORDERED.match(line):
                flush()
                paragraph, para_kind = [f"{m.group(2)}. {m.group(3)}"], BlockKind.LIST_ITEM
                continue
            if line.lstrip().startswith(">"):
                line = line.lstrip()[1:]
            paragraph.append(line)
        flush()
        return RawDocument(blocks=blocks)
