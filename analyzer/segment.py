"""Split a `Document` into clauses: the finest units with body text of their own.

Headings (styled, markdown, numbered, ALL CAPS, short title-case lines) open
sections and build each clause's heading path; they are not clauses themselves.
A run-in heading ("4.2 Payment Terms. Customer shall pay ...") gives the clause its
own heading. Table rows become one clause each; a table's header row becomes the
heading of the rows below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.model import Block, BlockKind, Clause, Document
from analyzer.numbering import (
    BULLETS,
    ClauseNumber,
    decimal_key,
    inline_bullet_starts,
    inline_clause_starts,
    inline_definition_starts,
    inline_item_starts,
    inline_letter_starts,
    parse_number,
)

_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "per",
                "from", "into", "under", "its", "their", "upon", "vs", "via", "&", "-", "\u2013", "\u2014"}
_RUN_IN = re.compile(r"^(?P<h>[^.:;!?]{2,80}?)(?:\.|:|\s[-\u2013\u2014])\s+(?=\S)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_MAX_HEADING_WORDS = 12
# What makes a table row a commitment of its own: an obligation word, or a number with a unit, share or currency.
_COMMITMENT = re.compile(
    r"\b(?:shall|will|must|may|agrees?|required|responsible|within|no later than|at least|up to|not exceed|"
    r"guarantee[sd]?|target|maximum|minimum|per)\b"
    r"|\d\s*(?:%|percent\b|per cent\b|sec|min|hour|hr|day|business day|week|month|year|ring)"
    r"|[$\u00a3\u20ac]\s*\d|\d\s*(?:usd|eur|gbp|dollars)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|sixty|ninety)\s+"
    r"(?:seconds?|minutes?|hours?|days?|business days?|weeks?|months?|years?)\b",
    re.IGNORECASE)
_BULLET = re.compile(rf"^[{BULLETS}]\s")
_BULLET_ROW = re.compile(rf"^\s*(?:[{BULLETS}\u00a7o]\s*)+\|")  # "- | Supply base management": a list item
# One-word "headings" before a full stop that are really abbreviations ("Mr. Smith", "No. 5").
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "no", "inc", "ltd", "co", "st"}
_SIGNATURE = re.compile(r"/s/|\b(?:by|name|title|date|signature|signed|initials)\s*:|"
                        r"^\s*(?:signature|signed|initials|witness(?:ed)?|(?:by|name|title|date)\s*\|)",
                        re.IGNORECASE)
_OBLIGATION = re.compile(r"\b(?:shall|will|must|agrees?|may)\b", re.IGNORECASE)
_INLINE_SIGNATURE = re.compile(r"(?<=\s)(?:IN WITNESS WHEREOF\b|Signature\s+/s/|By:\s*/s/)")


def inline_signature_start(text: str) -> list[int]:
    """Where an execution block run into a paragraph of a text export begins ("... addressed to: Purinix LLC
    Signature /s/ M. Derby Name ..."): a clause of its own, apart from the sentence before it."""
    found = _INLINE_SIGNATURE.search(text)
    return [found.start()] if found and found.start() > 0 else []


def is_signature_line(text: str) -> bool:
    """"Signature /s/ J. Doe Name J. Doe", "Date | 25/05/2008", "By: ____": a short line of an execution block."""
    return len(text) <= 120 and bool(_SIGNATURE.search(text)) and not _OBLIGATION.search(text)


def states_commitment(row: str) -> bool:
    """True when a table row commits to something: it holds an obligation word or a quantity with a unit."""
    return bool(_COMMITMENT.search(row))


def _is_title_case(text: str) -> bool:
    words = _WORD.findall(text)
    if not words:
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not significant:
        return False
    return all(w[0].isupper() for w in significant)


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def looks_like_heading(text: str) -> bool:
    """A standalone short line that names a section rather than saying something."""
    stripped = text.strip().rstrip(":")
    words = stripped.split()
    if not words or len(words) > _MAX_HEADING_WORDS or len(stripped) > 100:
        return False
    if _BULLET.match(stripped):  # "- Apache 2 HTTP Server": an item of a list, however it is capitalized
        return False
    if stripped.endswith((".", ";", ",")) and not _is_caps(stripped):
        return False
    if re.search(r"\d{3,}|\$|%|_{3,}|\[", stripped):
        return False
    return _is_caps(stripped) or _is_title_case(stripped)


def split_run_in_heading(text: str) -> tuple[str, int] | None:
    """("Payment Terms", offset of the body) for "Payment Terms. Customer shall ..."."""
    m = _RUN_IN.match(text)
    if not m:
        return None
    heading = m.group("h").strip()
    words = heading.split()
    if not 1 <= len(words) <= 8 or len(text) - m.end() < 15:
        return None
    if not (_is_caps(heading) or (_is_title_case(heading) and len(words) <= 6)):
        return None
    if len(words) == 1 and heading.lower() in _ABBREVIATIONS:
        return None
    return heading.strip(" -\u2013\u2014\"\u201c\u201d"), m.end()


@dataclass
class _Section:
    rank: int
    title: str
    plain: bool = False  # an unnumbered, title-case line: its successors of the same kind are siblings


class Segmenter:
    """Turns blocks into clauses. One instance per document (it keeps the section stack)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.stack: list[_Section] = []
        self.clauses: list[Clause] = []
        self.previous_alpha: str | None = None
        self.table_header: str | None = None
        self.table_caption: str | None = None  # a short line right before a table ("During Business Hours")
        self.in_table = False
        self.gathering = False  # the last clause gathers this table's rows that state no commitment
        self.last_decimal: tuple[int, ...] | None = None
        # The last piece was a heading that is only a number ("ARTICLE IV", "SCHEDULE 2"): a title
        # line right after it names that section rather than opening a sibling of it.
        self.after_bare_number = False

    def run(self) -> list[Clause]:
        for block in self.document.blocks:
            self._block(block)
        return self.clauses

    # ------------------------------------------------------------ sections
    def _open_section(self, rank: int, title: str, plain: bool = False) -> None:
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        self.stack.append(_Section(rank, title, plain))

    def _heading_path(self) -> list[str]:
        path = [s.title for s in self.stack]
        if self.in_table and self.table_caption:
            path.append(self.table_caption)
        if self.in_table and self.table_header:
            path.append(self.table_header)
        return path

    # ------------------------------------------------------------ blocks
    def _block(self, block: Block) -> None:
        for piece in self._split_run_together(block):
            self._piece(piece)

    def _split_run_together(self, block: Block) -> list[Block]:
        """Cut a paragraph that holds several numbered clauses run together."""
        if block.kind not in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM) or len(block.text) < 80:
            return [block]
        own = parse_number(block.text)
        own_key = decimal_key(own.text) if own and own.style in {"decimal", "section"} else None
        # an exhibit or schedule starts its own numbering ("EXHIBIT E ... terms. 1. By its nature ...")
        previous = None if own is not None and own.style == "container" else own_key or self.last_decimal
        starts = inline_clause_starts(block.text, previous)
        # a numbered clause starts its own lists: items are looked for between clause starts
        bounds = [0] + [offset for offset, _ in starts] + [len(block.text)]
        items = {a + offset for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
                 for offset in inline_item_starts(block.text[a:b], self.previous_alpha if i == 0 else None)}
        offsets = sorted({offset for offset, _ in starts} | set(inline_letter_starts(block.text)) | items
                         | set(inline_definition_starts(block.text)) | set(inline_bullet_starts(block.text))
                         | set(inline_signature_start(block.text)))
        if not offsets:
            return [block]
        cuts = [0] + offsets + [len(block.text)]
        pieces = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            chunk = block.text[a:b]
            lead = len(chunk) - len(chunk.lstrip())
            text = chunk.strip()
            if text:
                start = block.start + a + lead
                pieces.append(block.model_copy(update={"text": text, "start": start, "end": start + len(text)}))
        return pieces

    def _piece(self, block: Block) -> None:
        text = block.text
        after_bare_number, self.after_bare_number = self.after_bare_number, False
        if block.kind != BlockKind.TABLE_ROW:
            self.in_table = False
            self.gathering = False
            self.table_header = None
            self.table_caption = None
        number = parse_number(text, self.previous_alpha) if block.kind != BlockKind.TABLE_ROW else None
        if number and number.style in {"decimal", "section"}:
            self.last_decimal = decimal_key(number.text) or self.last_decimal
        if number and number.style in {"alpha", "upper_alpha"}:
            self.previous_alpha = number.text.strip("().").lower()
        elif number and number.style not in {"roman"}:
            self.previous_alpha = None
        body_offset = number.rest_offset if number else 0
        body = text[body_offset:]

        if block.kind == BlockKind.HEADING:
            self._open_section(block.level or 1, text)
            return
        if block.kind == BlockKind.TABLE_ROW:
            self._table_row(block)
            return
        if body.strip():
            is_heading = looks_like_heading(body) and (number is None or number.depth <= 4)
        else:
            is_heading = number is not None
        if is_heading:
            self._open_section(self._rank(number, body, after_bare_number), text)
            self.after_bare_number = number is not None and not body.strip()
            return
        if number is None and len(_WORD.findall(text)) < 2 and not re.search(r"\d|_{3}", text):
            return  # stray marks of a signature block or layout (")", "And:"): nothing to analyse
        heading = None
        run_in = split_run_in_heading(body)
        if run_in is not None:
            heading, _ = run_in
        self._add_clause(block, number, heading)

    def _rank(self, number: ClauseNumber | None, title: str, after_bare_number: bool = False) -> int:
        if number is not None:
            return 10 + number.depth
        if after_bare_number and self.stack:
            return self.stack[-1].rank + 1
        if _is_caps(title):
            return 10 if not self.stack else min(s.rank for s in self.stack)
        # An unnumbered title-case line sits under the current section, beside the previous such line.
        if not self.stack:
            return 10
        return self.stack[-1].rank if self.stack[-1].plain else self.stack[-1].rank + 1

    def _table_row(self, block: Block) -> None:
        bullet = bool(_BULLET_ROW.match(block.text))  # "- | Supply base management": a list laid out as a table
        is_header = (not self.in_table and not re.search(r"\d", block.text) and len(block.text) < 200 and not bullet
                     and not is_signature_line(block.text))
        if not self.in_table:
            self.table_caption = self._caption_before(block)
        self.in_table = True
        if is_header:
            self.table_header = block.text
            return
        if len(_WORD.findall(block.text)) < 3 and not re.search(r"\d", block.text) and not bullet:
            return  # "By: | By:", "Name: | Name:", rules of dashes: a form row, not a commitment
        if states_commitment(block.text) or bullet:
            self.gathering = False
            self._add_clause(block, None, None)
            return
        if self.gathering:  # "email | ...", "Office Phone | ...": one clause for the run of such rows
            self._extend_last(block)
            return
        self._add_clause(block, None, None)
        self.gathering = True

    def _caption_before(self, block: Block) -> str | None:
        """The clause just before a table when it reads as the table's caption: one short line that is
        not a sentence ("1(a) During Business Hours (Monday to Friday 8.00 to 18.00)")."""
        previous = self.clauses[-1] if self.clauses else None
        if previous is None or previous.kind != BlockKind.PARAGRAPH or previous.end > block.start:
            return None
        gap = self.document.text[previous.end:block.start]
        text = previous.text.strip()
        if gap.strip() or len(text) > 120 or text.endswith((".", ";")) or _BULLET.match(text):
            return None
        return text

    def _extend_last(self, block: Block) -> None:
        """The last clause runs on to the end of `block` (the text between stays, offsets stay exact)."""
        previous = self.clauses[-1]
        pages = sorted(set(previous.pages) | ({block.page} if block.page else set()))
        self.clauses[-1] = previous.model_copy(
            update={"end": block.end, "text": self.document.text[previous.start:block.end], "pages": pages})

    def _add_clause(self, block: Block, number: ClauseNumber | None, heading: str | None) -> None:
        previous = self.clauses[-1] if self.clauses else None
        cut_paragraph = previous is not None and previous.kind == BlockKind.PARAGRAPH and not (
            previous.text.rstrip().endswith((".", ":", ";", "!", "?")))
        # "... within 8 hours (except" + "weekends and holidays.)": an open bracket carries on, also from a table row
        open_bracket = previous is not None and previous.text.count("(") > previous.text.count(")")
        # A signature block is one clause, however its lines were laid out ("Signature /s/ ...", "Date | ...").
        signatures = previous is not None and number is None and is_signature_line(block.text) \
            and is_signature_line(previous.text.splitlines()[-1])
        # "... invoices shall be addressed to:" + "Purinix Pharmaceuticals LLC": a short line completing it
        completes = (previous is not None and number is None and block.kind == BlockKind.PARAGRAPH
                     and previous.kind == BlockKind.PARAGRAPH and previous.text.rstrip().endswith(":")
                     and len(block.text) <= 60 and "\n" not in block.text and not block.text.rstrip().endswith(".")
                     and not _BULLET.match(block.text))
        if signatures or completes or (
            previous is not None
            and number is None
            and block.kind == BlockKind.PARAGRAPH
            and block.text[:1].islower()
            and (cut_paragraph or open_bracket)
        ):
            # A paragraph cut in two (page break, stray blank line), a signature block, a completed sentence.
            self._extend_last(block)
            return
        self.clauses.append(
            Clause(
                id=f"c{len(self.clauses) + 1}",
                number=number.text if number else None,
                heading=heading,
                heading_path=self._heading_path(),
                text=block.text,
                start=block.start,
                end=block.end,
                pages=[block.page] if block.page else [],
                kind=block.kind,
            )
        )


def segment(document: Document) -> list[Clause]:
    return Segmenter(document).run()
