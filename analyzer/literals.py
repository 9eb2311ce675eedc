"""Cheap pre-tests for case-insensitive regexes: the words one of which every match opens with.

Python's `re` scans a text position by position; a pattern opening with a word boundary ("\\bpay")
or an alternation ("\\b(deemed|mailing|courier)") gets no literal-prefix speed-up. When the
lowercased text holds none of the words a match must open with, the regex cannot match, and a
substring test (C speed) saves the scan. Exact only for ASCII text: case-insensitive matching also
pairs a few non-ASCII letters with ASCII ones (the Kelvin sign, a long s).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Literals = tuple[str, ...]
_PLAIN = re.compile(r"[a-z][a-z ]*[a-z]")
_MIN_LENGTH = 3  # shorter words are in nearly every text: no use as a pre-test


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, bracket depth after it) for each character outside escapes and [classes];
    a depth below 0 or a class left open ends with depth -1."""
    depth, index, in_class = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            depth += {"(": 1, ")": -1}.get(char, 0)
            yield index, char, depth
        index += 1
    if in_class:
        yield len(pattern), "", -1


def _split_top_level(pattern: str) -> list[str] | None:
    """`pattern` cut at its top-level "|" (None when its brackets do not balance)."""
    parts, start, depth, balanced = [], 0, 0, True
    for index, char, depth in _structure(pattern):
        balanced = balanced and depth >= 0
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    return parts if balanced and depth == 0 else None


def _group_end(pattern: str) -> int | None:
    """Index of the ")" closing the group that opens `pattern`."""
    return next((index for index, char, depth in _structure(pattern) if char == ")" and depth == 0), None)


def _plain_opening(branch: str) -> str | None:
    """"\\bcredits?\\b" -> "credit": the plain lowercase words a branch starts with."""
    branch = branch.removeprefix("\\b")
    found = _PLAIN.match(branch)
    if found is None:
        return None
    literal = found.group(0)
    if branch[found.end():found.end() + 1] in {"?", "*", "{"}:
        literal = literal[:-1]  # "credits?": the last letter is optional
    return literal if len(literal) >= _MIN_LENGTH else None


def _branch_literals(branch: str) -> Literals | None:
    branch = branch.removeprefix("\\b")
    if branch.startswith("(") and not branch.startswith("(?") or branch.startswith("(?:"):
        end = _group_end(branch)
        if end is None or branch[end + 1:end + 2] in {"?", "*", "{"}:
            return None  # an optional opening group promises nothing
        inner = branch[3 if branch.startswith("(?:") else 1:end]
        return opening_literals(inner)
    literal = _plain_opening(branch)
    return None if literal is None else (literal,)


def opening_literals(pattern: str) -> Literals | None:
    """Lowercase words one of which opens every match of `pattern`, or None when they cannot be told.

    "\\bresponse times?" -> ("response time",); "\\b(deemed|mailed)\\b" -> ("deemed", "mailed");
    "\\bpay|\\bfee" -> ("pay", "fee"); "up[- ]time" -> None (too short); "^\\d" -> None.
    """
    branches = _split_top_level(pattern)
    if branches is None:
        return None
    found: list[str] = []
    for branch in branches:
        literals = _branch_literals(branch)
        if literals is None:
            return None
        found.extend(literals)
    return tuple(found)


def any_literals(patterns: list[str] | tuple[str, ...]) -> Literals | None:
    """The opening words of several patterns together: a text that holds none of them matches none."""
    return opening_literals("|".join(f"(?:{p})" for p in patterns))


def may_match(literals: Literals | None, lowered: str | None) -> bool:
    """False only when the pre-test proves that no match is possible."""
    return literals is None or lowered is None or any(literal in lowered for literal in literals)
