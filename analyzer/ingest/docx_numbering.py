"""Word automatic numbering, rendered as Word shows it.

python-docx does not render list numbers: a paragraph only says "list numId=3,
level 1". This module reads the numbering part (abstract definitions, instances and
overrides) and the styles part (numbering inherited from paragraph styles) and keeps
the counters, so "4.2" or "(b)" come out as the reader sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn


@dataclass
class LevelDef:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class StyleDef:
    name: str = ""
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None
    outline_level: int | None = None


def _roman(n: int) -> str:
    table = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
             (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, numeral in table:
        while n >= value:
            out += numeral
            n -= value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz, aaa...
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_counter(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in {"none", "bullet"}:
        return ""
    return str(value)


def _val(el, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(qn("w:val")) if child is not None else None


@dataclass
class NumberingResolver:
    abstract: dict[str, dict[int, LevelDef]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    styles: dict[str, StyleDef] = field(default_factory=dict)
    _counters: dict[str, dict[int, int]] = field(default_factory=dict)
    _overridden: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document) -> NumberingResolver:
        resolver = cls()
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        if numbering is not None:
            for an in numbering.findall(qn("w:abstractNum")):
                levels = {}
                for lvl in an.findall(qn("w:lvl")):
                    ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                    start = _val(lvl, "w:start")
                    levels[ilvl] = LevelDef(
                        start=int(start) if start and start.lstrip("-").isdigit() else 1,
                        fmt=_val(lvl, "w:numFmt") or "decimal",
                        text=_val(lvl, "w:lvlText") or "",
                    )
                resolver.abstract[an.get(qn("w:abstractNumId"))] = levels
            for num in numbering.findall(qn("w:num")):
                overrides = {}
                for ov in num.findall(qn("w:lvlOverride")):
                    start = _val(ov, "w:startOverride")
                    if start and start.isdigit():
                        overrides[int(ov.get(qn("w:ilvl"), "0"))] = int(start)
                resolver.nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId") or "", overrides)
        try:
            styles_el = document.styles.element
        except (KeyError, AttributeError):
            styles_el = None
        if styles_el is not None:
            for st in styles_el.findall(qn("w:style")):
                ppr = st.find(qn("w:pPr"))
                numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
                outline = _val(ppr, "w:outlineLvl")
                ilvl = _val(numpr, "w:ilvl")
                resolver.styles[st.get(qn("w:styleId"))] = StyleDef(
                    name=_val(st, "w:name") or "",
                    based_on=_val(st, "w:basedOn"),
                    num_id=_val(numpr, "w:numId"),
                    ilvl=int(ilvl) if ilvl and ilvl.isdigit() else None,
                    outline_level=int(outline) if outline and outline.isdigit() else None,
                )
        return resolver

    def style_chain(self, style_id: str | None) -> list[StyleDef]:
        chain, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            chain.append(self.styles[style_id])
            style_id = self.styles[style_id].based_on
        return chain

    def numbering_of(self, ppr, style_id: str | None) -> tuple[str | None, int]:
        """(numId, ilvl) for a paragraph: its own numPr, else the nearest style's."""
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id = _val(numpr, "w:numId")
        ilvl_s = _val(numpr, "w:ilvl")
        chain = self.style_chain(style_id)
        if num_id is None:
            for st in chain:
                if st.num_id is not None:
                    num_id = st.num_id
                    if ilvl_s is None and st.ilvl is not None:
                        ilvl_s = str(st.ilvl)
                    break
        if ilvl_s is None:
            ilvl_s = next((str(st.ilvl) for st in chain if st.ilvl is not None), "0")
        return num_id, int(ilvl_s) if ilvl_s.isdigit() else 0

    def next_label(self, num_id: str | None, ilvl: int) -> tuple[str | None, bool]:
        """Advance the list's counters; return (rendered number or None, is_bullet)."""
        if not num_id or num_id == "0" or num_id not in self.nums:
            return None, False
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id)
        if not levels:
            return None, False
        counters = self._counters.setdefault(abstract_id, {})
        if num_id not in self._overridden and overrides:
            self._overridden.add(num_id)
            for level, start in overrides.items():
                counters[level] = start - 1
                for deeper in [k for k in counters if k > level]:
                    del counters[deeper]
        level_def = levels.get(ilvl, LevelDef())
        counters[ilvl] = counters.get(ilvl, level_def.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level_def.fmt == "bullet":
            return None, True

        def render(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            value = counters.get(level, levels.get(level, LevelDef()).start)
            return format_counter(value, levels.get(level, LevelDef()).fmt)

        label = re.sub(r"%(\d)", render, level_def.text).strip()
        return (label or None), False
