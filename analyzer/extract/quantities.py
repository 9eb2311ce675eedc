"""Find quantities in clause text with spaCy: a blank English tokenizer, a component that
gives each token its numeric value (digits or number words) and merges template blanks,
and a `Matcher` for "number + unit" shapes. No model is downloaded or needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analyzer.extract.numbers import NUMBER_WORDS, parse_number

PLACEHOLDER_TOKEN = re.compile(r"^(?:_{3,}|\[[^\]]{0,40}\]|\[_+\]|TBD|XX+)$", re.IGNORECASE)
_MERGE = re.compile(r"\[[^\]\n]{0,40}\]|_{3,}|\b(?=[tfsen])(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-"
                    r"(?:one|two|three|four|five|six|seven|eight|nine)\b", re.IGNORECASE)

_MAY_HOLD_NUMBER = re.compile(
    r"\d|_{3}|\[|\b(?=[otfsenh])(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)\b|TBD|XX|"
    r"\bnext\s+(?:business\s+|working\s+)?(?:day|workday)\b|"
    r"\b(?:within|than|under|inside)\s+an?\s+(?:\w+\s+)?(?:minute|hour|day|week|month|year|workday)\b",
    re.IGNORECASE)

UNIT_WORDS = {
    "second": "seconds", "seconds": "seconds", "sec": "seconds", "secs": "seconds",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours",
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
    "ring": "rings", "rings": "rings",
    "workday": "business_days", "workdays": "business_days",
}
DAY_QUALIFIERS = {"business", "working", "calendar", "banking"}
# Words that may stand between a number and its unit without changing it ("30 consecutive days").
FILLER_QUALIFIERS = {"consecutive", "full", "clear", "additional", "extra", "further", "elapsed", "rolling"}


VALUES = "number_values"  # doc.user_data key: {token index: the number's value} (faster than token._ extensions)


NUM_NORM, BLANK_NORM, RATIO_NORM = "__num__", "__blank__", "__ratio__"
_RATIO_TOKEN = re.compile(r"^\d{2}/\d{2,3}$")  # "80/20" as one token
# The look-ahead on the number words' first letters lets the regex engine skip most positions at once
# (it otherwise tries every number word at every word start); it matches exactly the same spans.
_FIRST_LETTERS = "".join(sorted({w[0] for w in NUMBER_WORDS}))
_CANDIDATE = re.compile(
    r"\d|_{3,}|\[|\b(?:TBD|XX+)\b|\b(?=[" + _FIRST_LETTERS + r"])(?:" + "|".join(sorted(NUMBER_WORDS)) + r")\b",
    re.IGNORECASE)


@Language.component("number_values", assigns=["token.norm"])
def number_values(doc: Doc) -> Doc:
    """Merge "[Number]", "_____" and "twenty-four" into one token; mark number tokens (NORM) and keep
    their values in `doc.user_data[VALUES]`."""
    return mark_numbers(doc, doc.text)


def mark_numbers(doc: Doc, text: str) -> Doc:
    """`number_values` for a doc whose text is known (`doc.text` rebuilds it from every token).

    Only tokens that can be numbers or blanks are visited (found by one regex over the text), and they
    are marked through NORM so the Matcher compares a string instead of calling Python per token.
    """
    spans = [doc.char_span(m.start(), m.end(), alignment_mode="expand") for m in _MERGE.finditer(text)]
    spans = [s for s in spans if s is not None and len(s) > 1]
    if spans:
        with doc.retokenize() as retokenizer:
            # Two blanks can touch ("[a][b]") and expand onto one shared token: merge each token once.
            for span in filter_spans(spans):
                retokenizer.merge(span)
    seen: set[int] = set()
    values: dict[int, float] = {}
    doc.user_data[VALUES] = values
    for m in _CANDIDATE.finditer(text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        for token in span:
            if token.i in seen:
                continue
            seen.add(token.i)
            word = token.text
            if PLACEHOLDER_TOKEN.match(word):  # template blanks and redactions ("[***]"): value unknown
                token.norm_ = BLANK_NORM
            elif _RATIO_TOKEN.match(word):
                token.norm_ = RATIO_NORM
            elif word[:1].isdigit() or word.lower().split("-")[0] in NUMBER_WORDS:
                value = parse_number(word)
                if value is not None:
                    values[token.i] = value
                    token.norm_ = NUM_NORM
    return doc


NUM = {"NORM": NUM_NORM}
BLANK = {"NORM": BLANK_NORM}
UNIT = {"LOWER": {"IN": sorted(UNIT_WORDS)}}
QUALIFIER = {"LOWER": {"IN": sorted(DAY_QUALIFIERS | FILLER_QUALIFIERS)}, "OP": "?"}
SP = {"IS_SPACE": True, "OP": "?"}  # a run of spaces kept from a text export ("thirty (30)      days")
# "two South African working hours", "one UK workday" (but "3 Next business day" is a row number and a date)
PLACE = {"TEXT": {"REGEX": r"^(?!(?:Next|The|A|An|Each|Every|Per|Within|Business|Working|Calendar|Banking)$)"
                           r"[A-Z][A-Za-z]+$"}, "OP": "{1,2}"}
CLOCK = {"LOWER": {"IN": ["business", "working"]}}
PERCENT = {"LOWER": {"IN": ["%", "percent", "pct"]}}

PATTERNS: dict[str, list[list[dict]]] = {
    "DURATION": [
        [NUM, SP, QUALIFIER, SP, UNIT],
        [NUM, SP, {"ORTH": "("}, NUM, {"ORTH": ")"}, SP, QUALIFIER, SP, UNIT],
        [NUM, PLACE, CLOCK, UNIT],
        [NUM, PLACE, {"LOWER": {"IN": ["workday", "workdays"]}}],
        [NUM, {"ORTH": "("}, NUM, {"ORTH": ")"}, PLACE, CLOCK, UNIT],
        [NUM, {"ORTH": "-"}, QUALIFIER, UNIT],
        [NUM, {"ORTH": "-"}, QUALIFIER, {"ORTH": "-"}, UNIT],
        [BLANK, QUALIFIER, UNIT],
        [BLANK, {"ORTH": "("}, BLANK, {"ORTH": ")"}, QUALIFIER, UNIT],
    ],
    "PERCENT": [
        [NUM, PERCENT],
        [NUM, {"LOWER": "per"}, {"LOWER": "cent"}],
        [NUM, PERCENT, {"ORTH": "("}, NUM, PERCENT, {"ORTH": ")"}],
        [NUM, {"ORTH": "("}, NUM, PERCENT, {"ORTH": ")"}],
        [BLANK, PERCENT],
    ],
    "SCORE": [
        [NUM, {"LOWER": "out"}, {"LOWER": "of"}, NUM],
        [NUM, {"ORTH": "/"}, {"ORTH": {"IN": ["5", "10"]}}],
    ],
    # (no REGEX predicates here: they run in Python on every token of every clause)
    "RATIO": [
        [{"NORM": RATIO_NORM}],
        [{"NORM": NUM_NORM, "LENGTH": 2}, {"ORTH": "/"}, {"NORM": NUM_NORM, "LENGTH": {">=": 2, "<=": 3}}],
    ],
    "NET": [
        [{"LOWER": "net"}, NUM],
    ],
    "NEXT": [
        [{"LOWER": "next"}, QUALIFIER, {"LOWER": {"IN": ["day", "workday"]}}],
    ],
    # "within an hour", "no more than a week": the article is the number, after a word of time limit
    # A pattern's first token is tried at every token of a text: there a plain value, not a set (an IN
    # set is a predicate the Matcher calls in Python), so these open with one pattern per word.
    "ONE_UNIT": [
        [{"LOWER": word}, {"LOWER": {"IN": ["a", "an"]}}, QUALIFIER,
         {"LOWER": {"IN": ["minute", "hour", "day", "week", "month", "year", "workday"]}}]
        for word in ("within", "than", "under", "inside")
    ],
    "MONEY": [
        *([{"ORTH": symbol}, NUM] for symbol in ("$", "US$", "USD", "\u00a3", "\u20ac", "EUR", "GBP")),
        [NUM, {"LOWER": {"IN": ["usd", "dollars", "eur", "euros", "gbp", "pounds"]}}],
    ],
}


# Every pattern above holds a token from this list: a unit, a percent sign or word, a currency, "net",
# "next", "out" (of) or "/". A text with none of them cannot match, and skips spaCy. The word must stand
# between non-letters, as a token does: the tokenizer never splits between two letters ("Section" holds no
# "sec" token). (tests/test_extract_targets.py checks every pattern against this list.)
CUE_WORDS = sorted({*UNIT_WORDS, "percent", "pct", "cent", "out", "next", "net", "usd", "dollars", "eur", "euros",
                    "gbp", "pounds"}, key=len, reverse=True)
_MAY_MATCH = re.compile(r"(?<![A-Za-z])(?:" + "|".join(CUE_WORDS) + r")(?![A-Za-z])|[%/$\u00a3\u20ac]",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    kind: str  # DURATION | PERCENT | SCORE | RATIO | NET
    start: int  # character offsets within the text given to `find`
    end: int
    value: float | None
    unit: str
    share: float | None = None
    business_days: bool = False


class QuantityFinder:
    """Holds the spaCy pipeline and matcher; build once, reuse for every clause."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("number_values")
        self.matcher = Matcher(self.nlp.vocab)
        for label, patterns in PATTERNS.items():
            self.matcher.add(label, patterns, greedy="LONGEST")

    def find_many(self, texts: list[str], skip: list[int] | None = None) -> list[list[Quantity]]:
        """Quantities per text; texts with no digit, number word or blank, or with no unit, percent or currency
        word, skip spaCy entirely. `skip[i]`: how many leading characters of text i the number test ignores (its
        clause number: "4.2" is no target)."""
        results: list[list[Quantity]] = [[] for _ in texts]
        for index, text in enumerate(texts):
            if _MAY_HOLD_NUMBER.search(text, skip[index] if skip else 0) and _MAY_MATCH.search(text):
                # the tokenizer and `mark_numbers` are the whole pipeline: run them directly, text in hand
                results[index] = self._quantities(mark_numbers(self.nlp.make_doc(text), text))
        return results

    def _quantities(self, doc: Doc) -> list[Quantity]:
        spans = [Span(doc, s, e, label=self.nlp.vocab.strings[m]) for m, s, e in self.matcher(doc)]
        found = []
        for span in filter_spans(spans):
            quantity = self._read(span)
            if quantity is not None:
                found.append(quantity)
        return found

    @staticmethod
    def _read(span: Span) -> Quantity | None:
        kind = span.label_
        values = span.doc.user_data[VALUES]
        numbers = [values[i] for i in range(span.start, span.end) if i in values]
        blank = any(t.norm_ == BLANK_NORM for t in span)
        start, end = span.start_char, span.end_char
        if kind == "DURATION":
            words = [t.lower_ for t in span]
            unit = UNIT_WORDS[next(w for w in reversed(words) if w in UNIT_WORDS)]
            business = any(w in {"business", "working", "banking", "workday", "workdays"} for w in words)
            if business and unit == "days":
                unit = "business_days"
            value = None if blank and not numbers else numbers[-1]
            return Quantity(kind, start, end, value, unit, business_days=business)
        if kind == "PERCENT":
            value = None if blank and not numbers else numbers[-1]
            return Quantity(kind, start, end, value, "percent")
        if kind == "SCORE":
            return Quantity(kind, start, end, numbers[0], "score")
        if kind == "RATIO":
            first, second = re.split(r"\s*/\s*", span.text)
            return Quantity(kind, start, end, float(second), "seconds", share=float(first) / 100)
        if kind == "NET":
            return Quantity(kind, start, end, numbers[-1], "days")
        if kind == "ONE_UNIT":
            words = [t.lower_ for t in span]
            business = any(w in {"business", "working", "banking", "workday"} for w in words)
            unit = UNIT_WORDS[words[-1]]
            unit = "business_days" if business and unit == "days" else unit
            return Quantity("DURATION", span[1].idx, end, 1.0, unit, business_days=business)
        if kind == "NEXT":
            business = any(t.lower_ in {"business", "working", "banking"} or t.lower_ == "workday" for t in span)
            return Quantity(kind, start, end, 1.0, "business_days" if business else "days", business_days=business)
        if kind == "MONEY":
            return Quantity(kind, start, end, numbers[-1], "currency")
        return None
