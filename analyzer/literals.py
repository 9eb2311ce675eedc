"""Cheap pre-tests for case-insensitive regexes: the words every match of a pattern opens with.

Python's `re` scans a text position by position; a pattern opening with a word boundary ("\\bpay")
gets no literal-prefix speed-up. When the lowercased text lacks the words every match starts with,
the regex cannot match, and a substring test (C speed) saves the scan. Exact only for ASCII text:
case-insensitive matching also pairs a few non-ASCII letters with ASCII ones (the Kelvin sign, a long s).
"""

from __future__ import annotations

import re


def required_literal(pattern: str) -> str | None:
    """The lowercase words that open every match of `pattern` ("\\bresponse times?" -> "response time"),
    or None. Only a plain opening (optionally after \\b) of an expression with no top-level alternative
    counts."""
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
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        index += 1
    opening = re.match(r"(?:\\b)?([a-z][a-z ]*[a-z])", pattern)
    if opening is None:
        return None
    literal = opening.group(1)
    if pattern[opening.end():opening.end() + 1] in {"?", "*", "{"}:
        literal = literal[:-1]  # "credits?": the last letter is optional
    return literal if len(literal) >= 3 else None


def any_literals(patterns: list[str] | tuple[str, ...]) -> tuple[str, ...] | None:
    """The opening words of each of `patterns`, when every one has them: a text that holds none of them
    matches none of the patterns (None when some pattern has no such words)."""
    literals = [required_literal(p) for p in patterns]
    return None if any(lit is None for lit in literals) else tuple(lit for lit in literals if lit)
