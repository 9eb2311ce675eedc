"""Numbers as contracts write them: "30", "99.9", "1,000", "thirty", "twenty-four", "thirty (30)"."""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
FRACTIONS = {"half": 0.5, "quarter": 0.25}
NUMBER_WORDS = set(UNITS) | set(TENS) | set(SCALES)

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def parse_digits(text: str) -> float | None:
    text = text.strip()
    if _DIGITS.match(text):
        return float(text.replace(",", ""))
    return None


def parse_words(words: list[str]) -> float | None:
    """Value of a run of number words: ["twenty", "four"] -> 24, ["one", "hundred"] -> 100."""
    total = current = 0.0
    seen = False
    for raw in words:
        word = raw.lower().strip("-")
        if not word or word == "and":
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word in SCALES:
            current = (current or 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total += current
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def parse_number(text: str) -> float | None:
    """A number written in digits or in words ("twenty-four", "one hundred")."""
    value = parse_digits(text)
    if value is not None:
        return value
    words = re.split(r"[\s-]+", text.strip())
    return parse_words(words)
