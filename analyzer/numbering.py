"""Clause numbers as drafters write them: "3.2", "(a)", "(iv)", "Article IV", "Schedule 2"."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROMAN = re.compile(r"^[ivxlc]+$", re.IGNORECASE)


@dataclass(frozen=True)
class ClauseNumber:
    text: str  # as written, without trailing punctuation: "3.2", "(a)", "Article IV"
    style: str  # container | article | section | decimal | alpha | roman | upper_alpha
    depth: int  # nesting rank: container and article 0, "3" 1, "3.2" 2, ...
    rest_offset: int  # where the text after the number starts


# After "Schedule 2", "Article IV", "Section 5": optional punctuation, also " - " / " – ", then spaces.
_LABEL_END = r"\b(?:[.:\-\u2013\u2014]|\s+[.:\-\u2013\u2014](?=\s))?\s*"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("container", re.compile(
        r"^(?P<n>(?:schedule|annex|exhibit|appendix|attachment|addendum)\s+(?:[A-Z]{1,2}|\d{1,3}|[IVXLC]{1,6})"
        r"(?:[.-]\d{1,3})?)" + _LABEL_END, re.IGNORECASE)),
    ("article", re.compile(r"^(?P<n>article\s+(?:[IVXLC]{1,6}|\d{1,3}))" + _LABEL_END, re.IGNORECASE)),
    ("section", re.compile(r"^(?P<n>section\s+\d{1,3}(?:\.\d{1,3}){0,4}[a-z]?)" + _LABEL_END, re.IGNORECASE)),
    ("decimal", re.compile(r"^(?P<n>\d{1,3}(?:\.\d{1,3}){1,5})\.?(?=\s)\s*")),
    ("decimal", re.compile(r"^(?P<n>\d{1,3})(?:\.|\))(?=\s)\s*")),
    ("decimal", re.compile(r"^(?P<n>\d{1,2})\s+(?=[A-Z\"\u201c(])")),
    ("decimal", re.compile(r"^(?P<n>\d{1,2})\.(?=[A-Z][A-Za-z])")),  # "5.Dolphin will ..." (space lost)
    ("alpha", re.compile(r"^(?P<n>\([a-z]{1,2}\))\s*")),
    ("upper_alpha", re.compile(r"^(?P<n>\([A-Z]\))\s*")),
    ("alpha", re.compile(r"^(?P<n>[a-z][.)])\s+")),
    ("upper_alpha", re.compile(r"^(?P<n>[A-Z][.)])\s+(?=[A-Z])")),
]

_LETTERS_THAT_LOOK_ROMAN = {"i": "h", "v": "u", "x": "w", "l": "k", "c": "b"}


def parse_number(text: str, previous_alpha: str | None = None) -> ClauseNumber | None:
    """Number at the start of a block, if any.

    `previous_alpha` is the last lettered item seen, to tell "(i)" after "(h)"
    (a letter) from "(i)" opening a roman list.
    """
    for style, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        number = m.group("n").rstrip(".")
        rest = m.end()
        if rest >= len(text):  # a bare number is not a clause number ("12")
            if style in {"container", "article", "section"}:
                return ClauseNumber(number, style, _depth(style, number), rest)
            return None
        if style in {"alpha", "upper_alpha"}:
            letters = number.strip("().").lower()
            if ROMAN.match(letters) and not (
                len(letters) == 1 and previous_alpha == _LETTERS_THAT_LOOK_ROMAN.get(letters)
            ):
                style = "roman"
        return ClauseNumber(number, style, _depth(style, number), rest)
    return None


def _depth(style: str, number: str) -> int:
    if style in {"container", "article"}:
        return 0  # top-level divisions: a "Section 5" or "1." inside an article nests below it
    if style in {"section", "decimal"}:
        digits = re.sub(r"^section\s+", "", number, flags=re.IGNORECASE)
        return digits.count(".") + 1
    if style == "upper_alpha":
        return 5
    if style == "alpha":
        return 6
    return 7  # roman


_INLINE_DECIMAL = re.compile(
    r"(?<=[\s\u201d\")])(\d{1,2}(?:\.\d{1,2}){0,3})(?:(\.?)\s+|(\.)(?=[A-Z][A-Za-z]))(?=[A-Z\u201c\"(]|[a-z][A-Z])"
)
_REFERENCE_WORDS = re.compile(
    r"(?:section|sections|clause|clauses|paragraph|article|schedule|exhibit|annex|and|or|to|of|in|under|"
    r"through|with|than|per|no\.|\$|,)\s*$",
    re.IGNORECASE,
)


def decimal_key(number: str) -> tuple[int, ...] | None:
    """(3, 2) for "3.2"; "4.0" counts as "4"."""
    digits = re.sub(r"^section\s+", "", number, flags=re.IGNORECASE).rstrip(".")
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*", digits):
        return None
    parts = tuple(int(p) for p in digits.split("."))
    while len(parts) > 1 and parts[-1] == 0:
        parts = parts[:-1]
    return parts


def is_successor(previous: tuple[int, ...] | None, candidate: tuple[int, ...]) -> bool:
    """Whether `candidate` can follow `previous` in a clause hierarchy (3.2 -> 3.3, 3.2.1, 4)."""
    if previous is None:
        return candidate in {(1,), (1, 1)}
    if candidate == previous + (1,):
        return True
    for depth in range(len(previous), 0, -1):
        if candidate == previous[: depth - 1] + (previous[depth - 1] + 1,):
            return True
        if candidate == previous[: depth - 1] + (previous[depth - 1] + 1, 1):
            return True
    return False


_INLINE_LETTER = re.compile(r"(?<=[.;:]\s)([A-Z])\.\s+(?=[A-Z][a-z]|[A-Z]{2,})")


def inline_letter_starts(text: str) -> list[int]:
    """Offsets of run-together lettered items "... as follows: A. LEADER is ... B. The ...", in sequence A, B, C."""
    starts, expected = [], "A"
    for m in _INLINE_LETTER.finditer(text):
        if m.group(1) == expected:
            starts.append(m.start())
            expected = chr(ord(expected) + 1)
    return starts if len(starts) >= 2 else []


_INLINE_DEFINITION = re.compile(
    r"(?<=[.;])\s+(?=[\"\u201c][A-Z][^\"\u201c\u201d]{0,60}[\"\u201d]\s+(?:means|shall mean|has the meaning|refers to|"
    r"includes|is defined)\b)")


def inline_definition_starts(text: str) -> list[int]:
    """Offsets of definitions run together in one paragraph ('... Internet. "Affiliate" means ...').

    Two or more are needed: a single quoted term after a full stop may be an ordinary sentence."""
    starts = [m.end() for m in _INLINE_DEFINITION.finditer(text)]
    return starts if len(starts) >= 2 else []


_INLINE_PAREN = re.compile(r"(?:[:;]|;\s+(?:and|or)|\.[)\x22\u201d]?(?=\s+\(\w+\)\s+[\x22\u201c]?[A-Z]))"
                           r"\s+(\(([a-z]|[ivx]{1,4})\))\s+(?=\S)|"
                           r"(?<=\.)\s+(([a-z])\))\s+(?=[a-z])|"  # "... anyone. h) not to divulge": "(" lost
                           # a heading run into its items: "Escalation Process (a) When to Escalate (i) If ..."
                           r"\b[A-Z][A-Za-z]*\s+(\(([a-z]|[ivx]{1,4})\))\s+(?=[\x22\u201c]?[A-Z])")
_ROMANS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]


def inline_item_starts(text: str, previous_letter: str | None = None) -> list[int]:
    """Offsets of run-together items "...: (a) to disclose ...; (b) that all ..." in sequence; an item may
    also follow a full stop when it opens a sentence ("... behaviour. (ii) Debug logs ..."), or a
    capitalized word when it opens with one ("... Process (a) When to Escalate (i) If ...").

    Only a list that starts at (a) or (i), after a colon or semicolon, and runs on in order counts;
    "either (a) X or (b) Y" inside a sentence is left alone. A paragraph that itself opens with an
    item ("(b) that all ...; (c) to execute ...") continues from that item, and one that follows
    item `previous_letter` (a list cut by a page break) may continue from it. Roman sub-items
    restart at (i) under each lettered item."""
    opening = re.match(r"\(([a-z])\)\s", text)
    opening_roman = re.match(r"\(([ivx]{1,4})\)\s", text)
    roman_base = _ROMANS.index(opening_roman.group(1)) + 1 \
        if opening_roman and opening_roman.group(1) in _ROMANS[:-1] else 0
    if opening and opening.group(1) not in "iv":
        letters, romans = _scan_items(text, chr(ord(opening.group(1)) + 1), roman_base)
        continued = True
    else:
        letters, romans = _scan_items(text, "a", roman_base)
        continued = False
        if previous_letter and len(previous_letter) == 1 and "a" <= previous_letter < "z":
            more = _scan_items(text, chr(ord(previous_letter) + 1), roman_base)
            if len(more[0]) > len(letters):  # a fresh list from (a) wins over an old one continued
                (letters, romans), continued = more, True
    # one item is a list when it continues one, or when a colon announces it ("thereafter: (a) to disclose")
    single_ok = continued or (len(letters) == 1 and text[:letters[0]].rstrip().endswith(":"))
    romans_least = 1 if roman_base else 2  # a continued list needs no second item to be one
    found = [offsets for offsets, least in ((letters, 1 if single_ok else 2), (romans, romans_least))
             if len(offsets) >= least]
    return sorted(o for offsets in found for o in offsets)


def _scan_items(text: str, first_letter: str, roman_base: int) -> tuple[list[int], list[int]]:
    letters: list[int] = []
    romans: list[int] = []
    roman_next = roman_base
    for m in _INLINE_PAREN.finditer(text):
        label = m.group(2) or m.group(4) or m.group(6)
        offset = m.start(1) if m.group(2) else m.start(3) if m.group(4) else m.start(5)
        if m.group(4) and not letters:
            continue  # "x) " without its "(" only continues a list already under way
        if label == chr(ord(first_letter) + len(letters)):
            letters.append(offset)
            roman_next = 0
        elif roman_next < len(_ROMANS) and label == _ROMANS[roman_next]:
            romans.append(offset)
            roman_next += 1
    return letters, romans


BULLETS = "\\-\u2013\u2022\u25aa\u25cf*"  # list bullets, as a regex character class body
_INLINE_BULLET = re.compile(rf"(?<=\S)\s+([{BULLETS}])\s+(?=[A-Z0-9])")


def inline_bullet_starts(text: str) -> list[int]:
    """Offsets of bulleted items run into one line ("- FreeBSD 5 - Apache 2 HTTP Server - MySQL 4"):
    only in a paragraph that itself opens with that bullet, and with two more at least (a dash inside a
    sentence is followed by a lowercase word, or stands alone)."""
    opening = re.match(rf"\s*([{BULLETS}])\s", text)
    if opening is None:
        return []
    starts = [m.start(1) for m in _INLINE_BULLET.finditer(text) if m.group(1) == opening.group(1)]
    return starts if len(starts) >= 2 else []


def inline_clause_starts(text: str, previous: tuple[int, ...] | None) -> list[tuple[int, tuple[int, ...]]]:
    """Offsets where a run-together paragraph starts a new numbered clause.

    Text extracted from filings often loses its line breaks, leaving "... the
    parties. 2.3 Fees. Customer shall ...". A number there opens a clause only if it
    continues the numbering seen so far and is not a cross-reference ("Section 2.3").
    """
    starts = []
    for m in _INLINE_DECIMAL.finditer(text):
        key = decimal_key(m.group(1))
        if key is None:
            continue
        written_depth = m.group(1).count(".") + 1  # "2.0" is written two deep and heads section 2
        # filings skip a number now and then ("6.1 ... 8.0 Medical", "2.2 ... 2.4 CRO will"), after a sentence
        skipped = (
            previous is not None
            and ((key[0] == previous[0] + 2 and key[1:] in {(), (1,)})
                 or (len(key) == len(previous) > 1 and key[:-1] == previous[:-1] and key[-1] == previous[-1] + 2))
            and text[max(0, m.start() - 2):m.start()].startswith(".")
        )
        if not (is_successor(previous, key) or skipped):
            continue
        if written_depth == 1 and not (m.group(2) or m.group(3)):
            continue  # "3 months" is not clause 3
        before = text[max(0, m.start() - 20): m.start()]
        if _REFERENCE_WORDS.search(before):
            continue
        starts.append((m.start(), key))
        previous = key
    return starts
