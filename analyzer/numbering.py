"""Clause numbers as drafters write them: "3.2", "(a)", "(iv)", "Article IV", "Schedule 2"."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROMAN = re.compile(r"^[ivxlc]+$", re.IGNORECASE)


@dataclass(frozen=True)
class ClauseNumber:
    text: str  # as written, without trailing punctuation: "3.2", "(a)", "Article IV"
    style: str  # container | article | section | decimal | alpha | roman | upper_alpha
    depth: int  # nesting rank: container 0, article 1, "3.2" 2, ...
    rest_offset: int  # where the text after the number starts


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("container", re.compile(
        r"^(?P<n>(?:schedule|annex|exhibit|appendix|attachment|addendum)\s+(?:[A-Z]{1,2}|\d{1,3}|[IVXLC]{1,6})"
        r"(?:[.-]\d{1,3})?)\b[.:\-\u2013\u2014]?\s*", re.IGNORECASE)),
    ("article", re.compile(r"^(?P<n>article\s+(?:[IVXLC]{1,6}|\d{1,3}))\b[.:\-\u2013\u2014]?\s*", re.IGNORECASE)),
    ("section", re.compile(r"^(?P<n>section\s+\d{1,3}(?:\.\d{1,3}){0,4}[a-z]?)\b[.:\-\u2013\u2014]?\s*",
                           re.IGNORECASE)),
    ("decimal", re.compile(r"^(?P<n>\d{1,3}(?:\.\d{1,3}){1,5})\.?(?=\s)\s*")),
    ("decimal", re.compile(r"^(?P<n>\d{1,3})(?:\.|\))(?=\s)\s*")),
    ("decimal", re.compile(r"^(?P<n>\d{1,2})\s+(?=[A-Z\"\u201c(])")),
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
    if style == "container":
        return 0
    if style == "article":
        return 1
    if style in {"section", "decimal"}:
        digits = re.sub(r"^section\s+", "", number, flags=re.IGNORECASE)
        return digits.count(".") + 1
    if style == "upper_alpha":
        return 5
    if style == "alpha":
        return 6
    return 7  # roman
