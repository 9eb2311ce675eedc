"""From quantities to targets: which metric a number belongs to, which way it bounds,
and the context the text gives (channel, priority, measurement period, business hours).

Attribution reads the words around the number in its sentence, then the clause's
heading path (a table header or a section title) when the sentence is silent. Cue
words live in `analyzer/data/target_metrics.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from analyzer.extract.quantities import Quantity, QuantityFinder
from analyzer.literals import Literals, may_match, opening_literals
from analyzer.model import BlockKind, Clause, Target

SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "business_days": 86400, "weeks": 604800,
           "months": 30 * 86400, "years": 365 * 86400}

# A line break ends a sentence unless lowercase follows it ("(except\n\nweekends ...)" is one sentence).
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[\"\u201c(]?[A-Z0-9(])|\n+(?=[^a-z\n])| \| ")
# Bound words as drafted; the one nearest before the number decides the comparator.
_BOUNDS = [
    ("<=", re.compile(r"\b(within|no later than|not later than|no more than|not more than|up to|at most|maximum|"
                      r"max\.|not (to )?exceed|less than or equal to|by no later than|no longer than|"
                      r"not longer than|in no event (more|later) than)\b", re.IGNORECASE)),
    (">=", re.compile(r"\b(at least|not less than|no less than|minimum|min\.|not fewer than|no fewer than|"
                      r"greater than or equal to)\b", re.IGNORECASE)),
    ("<", re.compile(r"\b(less than|fewer than|below|shorter than)\b", re.IGNORECASE)),
    (">", re.compile(r"\b(more than|greater than|exceeds?|exceeding|above|in excess of|longer than)\b",
                     re.IGNORECASE)),
]
_AFTER_GE = re.compile(r"^\W*(or (more|greater|higher|better|longer)|and above|minimum)", re.IGNORECASE)
_AFTER_LE = re.compile(r"^\W*(or (less|fewer|sooner|shorter)|and below|maximum|or earlier)", re.IGNORECASE)
_COMMITMENT = re.compile(
    r"(within|no later than|not later than|at least|not less than|prior|advance|notice|after|following|before|"
    r"for a period|period of|term of|up to|not exceed|each|every|per|initial|renew|net|due|shall|will|must)",
    re.IGNORECASE)

# Rates that are commitments only when stated as a floor ("at least 99.9%").
RATES = {"availability", "customer_satisfaction", "first_contact_resolution", "accuracy", "quality_score"}
_CONDITION = re.compile(r"\b(if|where|when|whenever|in the event|falls?|drops?|below|(?<!not )(?<!no )less than|"
                        r"lower than|greater than|but)\b", re.IGNORECASE)
_OBLIGATION = re.compile(r"\b(shall|will|must|agrees?|undertakes?|required|is to|are to|may not|has|have)\b",
                         re.IGNORECASE)

CHANNELS = [
    ("social", re.compile(r"social media|twitter|facebook|instagram|linkedin|\bsocial\b", re.IGNORECASE)),
    ("chat", re.compile(r"\b(live |web )?chats?\b|instant messag|messaging", re.IGNORECASE)),
    ("email", re.compile(r"e-?mail", re.IGNORECASE)),
    ("phone", re.compile(r"tele?phone|\bphone|\bcalls?\b|\bvoice\b|\bivr\b|hotline", re.IGNORECASE)),
    ("web", re.compile(r"web ?form|web portal|\bportal\b|online form|website", re.IGNORECASE)),
]
PRIORITY = re.compile(
    r"\b(P[1-5]|Priority\s*(?:Level\s*)?[1-5]|Severity\s*(?:Level\s*)?[1-5]|Sev\s*[1-5]|Level\s*[1-5]|"
    r"(?:critical|urgent|high|medium|normal|low)(?=\s*(?:priority|severity|\||:|\)|-|$)))",
    re.IGNORECASE)
PERIOD = re.compile(
    r"\b(per (?:calendar |billing )?(?:month|quarter|year|week|day|subscription period)|"
    r"(?:in |during |for )?(?:each|any|every|a) (?:calendar |billing )?(?:month|quarter|year|week|day)|"
    r"(?:monthly|quarterly|annually|annual|weekly|daily|yearly)(?!\s+(?:fees?|charges?|invoices?|payments?|"
    r"subscription|price|rent|amount|service fee))|"
    r"(?:in|during|over) (?:a|any|each|the) (?:rolling )?(?:calendar )?(?:month|quarter|year)|"
    r"calendar month|calendar quarter|measurement (?:period|window))\b",
    re.IGNORECASE)
BUSINESS_CLOCK = re.compile(r"business hours?|working hours?|business days?|working days?|workdays?|work schedule|"
                            r"normal hours|office hours|hours of operation|regular (business )?hours|"
                            r"(except|excluding|other\s+than)\s+(on\s+)?weekends|monday\s*(-|\u2013|to|through)\s*friday",
                            re.IGNORECASE)
# "credit for downtime outside Normal Business Hours": the clock named there is not the target's clock
OUTSIDE_CLOCK = re.compile(r"\b(outside|beyond|after)\s+(of\s+)?(the\s+)?(normal\s+|regular\s+|standard\s+)?"
                           r"(business|working|office)\s+hours?", re.IGNORECASE)


def _number_length(clause: Clause) -> int:
    """The length of the clause number the clause text opens with ("4.2", "(b)", "Schedule 2"), 0 when it
    opens otherwise. A bare integer is never skipped: in "2 hours ..." it may be the value itself."""
    number = clause.number
    if not number or number.isdigit() or not clause.text.startswith(number):
        return 0
    return len(number)


def _states_business_clock(text: str) -> bool:
    return bool(BUSINESS_CLOCK.search(OUTSIDE_CLOCK.sub(" ", text)))


@dataclass(frozen=True)
class MetricCue:
    metric: str
    units: frozenset[str]
    better: str
    cues: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class NotTarget:
    """Every pattern given must match for the number to be dropped."""

    name: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    sentence: re.Pattern[str] | None
    number: re.Pattern[str] | None
    span: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        # the patterns given, the short strings first, so that most filters fail on a cheap search
        order = [(self.number, 0), (self.span, 1), (self.after, 2), (self.before, 3), (self.sentence, 4)]
        checks = tuple((rx, i, opening_literals(rx.pattern) if rx.flags & re.IGNORECASE else None)
                       for rx, i in order if rx is not None)
        object.__setattr__(self, "_checks", checks)

    def matches(self, before: str, after: str, sentence: str, number: str, span: str = "",
                lowered: tuple[str, ...] | None = None) -> bool:
        """All patterns given match (a filter with none never matches). `lowered`: the same five texts
        (number, span, after, before, sentence) lowercased, when all are ASCII, for the substring pre-test."""
        checks = self._checks  # type: ignore[attr-defined]
        if not checks:
            return False
        texts = (number, span, after, before, sentence)
        for rx, i, literals in checks:
            if lowered is not None and not may_match(literals, lowered[i]):
                return False
            if rx.search(texts[i]) is None:
                return False
        return True


def _load_yaml(path: Path | None) -> dict:
    text = path.read_text() if path else resources.files("analyzer.data").joinpath("target_metrics.yaml").read_text()
    return yaml.safe_load(text)


def load_not_targets(path: Path | None = None) -> list[NotTarget]:
    def rx(value: str | None) -> re.Pattern[str] | None:
        return re.compile(value, re.IGNORECASE) if value else None

    return [NotTarget(e["name"], rx(e.get("before")), rx(e.get("after")), rx(e.get("sentence")), rx(e.get("number")),
                      rx(e.get("span"))) for e in _load_yaml(path).get("not_targets", [])]


def load_metric_cues(path: Path | None = None) -> list[MetricCue]:
    cues = []
    for entry in _load_yaml(path)["metrics"]:
        cues.append(MetricCue(
            metric=entry.get("alias_of", entry["id"]),
            units=frozenset(entry["units"]),
            better=entry["better"],
            cues=tuple(re.compile(c, re.IGNORECASE) for c in entry["cues"]),
        ))
    return cues


def unit_kind(unit: str) -> str:
    if unit in SECONDS:
        return "duration"
    return unit  # percent, score, rings, currency, count


def _one_per_commitment(targets: list[Target]) -> list[Target]:
    """A rate stated twice (a summary and the operative clause) is one commitment: keep the first.
    Periods (notice, cure, payment) repeat legitimately for different events, so they are all kept."""
    seen: set[tuple] = set()
    kept = []
    for t in targets:
        key = (t.metric, t.value, t.unit, t.channel, (t.priority or "").lower(), t.share)
        if t.metric in RATES and t.value is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(t)
    return kept


def _column_header(clause: Clause, offset: int) -> str | None:
    """For a table row under a header row ("Tier | Uptime | Credit"), the header of the cell holding `offset`."""
    if clause.kind != BlockKind.TABLE_ROW or not clause.heading_path or " | " not in clause.heading_path[-1]:
        return None
    header = clause.heading_path[-1].split(" | ")
    cell = clause.text[:offset].count(" | ")
    cells = clause.text.count(" | ") + 1
    if len(header) == cells - 1:  # the first cell labels the row ("Tier 2 | 99.5% | 10%"); the header has none
        cell -= 1
    elif len(header) == cells + 1 and clause.text.count(" | ") >= 1:
        pass  # the last column ("Comments") is empty in this row and was dropped
    elif len(header) != cells:
        return None
    return header[cell] if 0 <= cell < len(header) else None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            return left, m.start()
    return left, len(text)


@dataclass(frozen=True)
class _SentenceFacts:
    channel: str | None
    priority: str | None
    period: str | None
    business_clock: bool


def _priority(text: str) -> str | None:
    found = PRIORITY.search(text)
    return found.group(0) if found else None


@dataclass(frozen=True)
class _KindCues:
    """The cues that can name a metric for one kind of quantity (a duration, a percentage...)."""

    follows: list[tuple[str, re.Pattern[str]]]  # cues about the words right after the number ("^...")
    precedes: list[tuple[str, re.Pattern[str]]]  # cues about the words right before it ("...$": "every ")
    cues: list[tuple[str, re.Pattern[str]]]  # cues anywhere in the window, in the order of the metrics file
    literals: list[Literals | None]  # per cue, the words one of which every match opens with (`analyzer.literals`)


def _cues_by_kind(metric_cues: list[MetricCue]) -> dict[str, _KindCues]:
    out: dict[str, _KindCues] = {}
    for kind in sorted({unit for cue in metric_cues for unit in cue.units}):
        follows = [(c.metric, p) for c in metric_cues if kind in c.units for p in c.cues
                   if p.pattern.startswith("^")]
        precedes = [(c.metric, p) for c in metric_cues if kind in c.units for p in c.cues
                    if p.pattern.endswith("$") and not p.pattern.startswith("^")]
        cues = [(c.metric, p) for c in metric_cues if kind in c.units for p in c.cues
                if not p.pattern.startswith("^") and not p.pattern.endswith("$")]
        out[kind] = _KindCues(follows, precedes, cues, [opening_literals(p.pattern) for _, p in cues])
    return out


class TargetExtractor:
    """Build once per process; `extract` runs over a document's clauses."""

    def __init__(self, metrics_path: Path | None = None) -> None:
        self.finder = QuantityFinder()
        self.cues = load_metric_cues(metrics_path)
        self.not_targets = load_not_targets(metrics_path)
        self.better = {c.metric: c.better for c in self.cues}
        self._cues_by_kind = _cues_by_kind(self.cues)
        # Caches for one document (cleared by `extract`): several numbers share a sentence or a heading.
        self._context_metrics: dict[tuple[str, str], str] = {}
        self._facts: dict[str, _SentenceFacts] = {}

    def extract(self, clauses: list[Clause]) -> list[Target]:
        targets: list[Target] = []
        self._context_metrics.clear()  # one document's text: never kept past its extraction
        self._facts.clear()
        found = self.finder.find_many([c.text for c in clauses], [_number_length(c) for c in clauses])
        for clause, quantities in zip(clauses, found, strict=True):
            targets.extend(self._clause_targets(clause, quantities))
        return _one_per_commitment(targets)

    # ------------------------------------------------------------------
    def _clause_targets(self, clause: Clause, quantities: list[Quantity]) -> list[Target]:
        text = clause.text
        context = " / ".join(clause.heading_path + ([clause.heading] if clause.heading else []))
        used: set[int] = set()
        out = []
        for i, q in enumerate(quantities):
            if i in used:
                continue
            s_start, s_end = _sentence_bounds(text, q.start, q.end)
            sentence = text[s_start:s_end]
            before = text[max(s_start, q.start - 160):q.start]
            after = text[q.end:min(s_end, q.end + 60)]
            if q.kind == "PERCENT":
                pair = self._share_pair(quantities, i, text, s_end)
                if pair is not None:
                    used.add(pair)
                    out.append(self._service_level(clause, q, quantities[pair], sentence, context))
                    continue
            number = text[q.start:q.end].split()[0] if q.kind == "DURATION" else ""
            span = text[q.start:q.end]
            lowered = (number.lower(), span.lower(), after.lower(), before.lower(), sentence.lower()) \
                if sentence.isascii() and before.isascii() and after.isascii() and span.isascii() else None
            if any(f.matches(before, after, sentence, number, span, lowered) for f in self.not_targets):
                continue
            column = _column_header(clause, q.start)
            # a cell's metric comes from its own column: the header row as a whole names the other columns too
            cell_context = " / ".join(clause.heading_path[:-1]) if column else context
            metric = self._metric((column + " ‸ " if column else "") + before, after, cell_context, q)
            if q.unit == "currency" and metric not in {"liability_cap", "credit_cap"}:
                continue  # prices and amounts are not targets; a cap on liability is
            if self.better.get(metric) == "higher" and metric in RATES and self._is_condition(before):
                continue
            # A table row states its commitment by being in the table; prose needs an obligation.
            in_table = clause.kind == BlockKind.TABLE_ROW
            if metric == "unknown" and q.kind == "PERCENT" and q.value is not None:
                continue  # a share of nothing named: a price, a milestone instalment, a tax rate
            if metric == "unknown" and q.value is not None and not in_table and (
                not _COMMITMENT.search(before[-60:] + " " + after[:30])
                or not _OBLIGATION.search(sentence)
            ):
                continue
            out.append(self._target(clause, q, q.value, q.unit, q.share, metric, before, after, sentence, context))
        return out

    @staticmethod
    def _is_condition(before: str) -> bool:
        """A share in "if availability falls below 99%" is a trigger, not a commitment."""
        return bool(_CONDITION.search(before[-120:]))

    def _share_pair(self, quantities: list[Quantity], index: int, text: str, sentence_end: int) -> int | None:
        """"80% of calls answered within 20 seconds": the duration that the share qualifies."""
        q = quantities[index]
        for j in range(index + 1, len(quantities)):
            other = quantities[j]
            if other.start > sentence_end or other.start - q.end > 120:
                break
            if other.kind == "DURATION" and unit_kind(other.unit) == "duration" or other.unit == "rings":
                between = text[q.end:other.start]
                if re.search(r"\b(within|in|under|no later than|by)\b", between, re.IGNORECASE) and re.search(
                        r"\b(calls?|contacts?|emails?|e-mails?|chats?|tickets?|requests?|inquiries|enquiries|"
                        r"messages?|incidents?|answered|responded|resolved|handled)\b", between, re.IGNORECASE):
                    return j
        return None

    def _metric(self, before: str, after: str, context: str, q: Quantity) -> str:
        if q.kind == "RATIO":
            return "service_level"
        if q.kind == "NET":
            return "payment_period"
        kind = unit_kind(q.unit)
        # "respond within 30 minutes and resolve within 8 hours": a cue in the number's own phrase wins.
        boundary = max(before.rfind(" and "), before.rfind(";"), before.rfind(", "))
        if boundary > 0:
            own = self._metric(before[boundary:], after, "", q)
            if own != "unknown":
                return own
        best: tuple[int, str] | None = None
        window = before + " \u2038 " + after
        anchor = len(before) + 1
        cues = self._cues_by_kind.get(kind)
        if cues is None:
            return "unknown"
        for metric, follows in cues.follows:
            if follows.search(after):
                best = (0, metric)
        for metric, precedes in cues.precedes:
            if precedes.search(before):
                best = (0, metric)
        if best is not None:
            return best[1]  # a cue right next to the number: nothing in the window can be nearer
        # Case-insensitive matching of ASCII words can also match a few non-ASCII letters (the Kelvin
        # sign, a long s): the substring pre-test is exact only for ASCII text.
        lowered = window.lower() if before.isascii() and after.isascii() else None
        for (metric, pattern), literals in zip(cues.cues, cues.literals, strict=True):
            if lowered is not None and literals is not None:  # `may_match`, inlined: this loop is hot
                for literal in literals:
                    if literal in lowered:
                        break
                else:
                    continue
            for m in pattern.finditer(window):
                # a cue after the number counts, but one before it (the drafting norm) counts more
                distance = anchor - m.end() if m.end() <= anchor else (m.start() - anchor) * 3 + 40
                if best is None or distance < best[0]:
                    best = (distance, metric)
        if best is not None:
            return best[1]
        key = (context, kind)
        if key not in self._context_metrics:  # every number of a clause shares its heading context
            self._context_metrics[key] = next(
                (metric for metric, pattern in cues.cues if pattern.search(context)), "unknown")
        return self._context_metrics[key]

    def _comparator(self, before: str, after: str, metric: str) -> str:
        """The bound as written (so that "a minimum response time" stays >= and can be flagged)."""
        tail = before[-60:]
        nearest: tuple[int, str] | None = None
        for comparator, pattern in _BOUNDS:
            for m in pattern.finditer(tail):
                if nearest is None or m.end() > nearest[0] or (m.end() == nearest[0] and len(comparator) == 2):
                    nearest = (m.end(), comparator)
        if nearest is not None:
            return nearest[1]
        if _AFTER_LE.search(after):
            return "<="
        if _AFTER_GE.search(after):
            return ">="
        if metric in {"response_time", "resolution_time", "average_speed_of_answer", "average_handle_time",
                      "abandonment_rate", "credit_cap", "liability_cap"}:
            return "<="
        if metric in {"availability", "customer_satisfaction", "first_contact_resolution", "accuracy",
                      "quality_score", "net_promoter_score", "service_level"}:
            return ">="
        return "=="

    def _service_level(self, clause: Clause, share: Quantity, duration: Quantity, sentence: str, context: str
                       ) -> Target:
        start, end = clause.start + share.start, clause.start + duration.end
        before = clause.text[max(0, share.start - 60):share.start]
        return self._make(clause, start, end, "service_level", ">=", duration.value, duration.unit,
                          share.value / 100 if share.value is not None else None, sentence, context,
                          before, duration.business_days)

    def _target(self, clause: Clause, q: Quantity, value, unit, share, metric, before, after, sentence, context
                ) -> Target:
        comparator = self._comparator(before, after, metric)
        return self._make(clause, clause.start + q.start, clause.start + q.end, metric, comparator, value, unit,
                          share, sentence, context, before, q.business_days, after)

    def _sentence_facts(self, sentence: str) -> _SentenceFacts:
        """Channel, priority, measurement period and business-hours clock stated in a sentence."""
        facts = self._facts.get(sentence)
        if facts is None:
            period = PERIOD.search(sentence)
            facts = _SentenceFacts(next((name for name, rx in CHANNELS if rx.search(sentence)), None),
                                   _priority(sentence), period.group(0) if period else None,
                                   _states_business_clock(sentence))
            self._facts[sentence] = facts
        return facts

    def _context_facts(self, context: str) -> _SentenceFacts:
        return self._sentence_facts(context)  # a heading path is read like a sentence

    def _make(self, clause, start, end, metric, comparator, value, unit, share, sentence, context, before,
              business_days, after="") -> Target:
        normalized = None
        if value is not None:
            if unit in SECONDS:
                normalized = value * SECONDS[unit]
            elif unit == "percent":
                normalized = value / 100
            else:
                normalized = value
        facts = self._sentence_facts(sentence)
        channel = facts.channel or self._context_facts(context).channel
        priority = facts.priority or _priority(clause.text[:60]) or self._context_facts(context).priority
        # the clock may be stated by the clause heading or the table's caption ("During Business Hours")
        business = business_days or facts.business_clock or self._context_facts(context).business_clock
        return Target(
            metric=metric, comparator=comparator, value=value, unit=unit, normalized=normalized, share=share,
            channel=channel, priority=priority, period=facts.period, business_hours=business,
            text=clause.text[start - clause.start:end - clause.start], start=start, end=end, clause_id=clause.id,
        )
