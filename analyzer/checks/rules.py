"""The checks a playbook can name. Thresholds and word lists come from the rule's
`params` in the playbook; the code here only knows how to look.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from analyzer.checks.playbook import Requirement, Rule
from analyzer.literals import any_literals, may_match
from analyzer.model import Clause, Finding, Target

LOWER_IS_BETTER = {"response_time", "resolution_time", "average_speed_of_answer", "average_handle_time",
                   "abandonment_rate", "breach_notification"}
HIGHER_IS_BETTER = {"availability", "customer_satisfaction", "net_promoter_score", "first_contact_resolution",
                    "accuracy", "quality_score", "service_level"}
SLA_METRICS = LOWER_IS_BETTER | HIGHER_IS_BETTER


@lru_cache(maxsize=1024)
def _regex(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compiled once per process: `re`'s own cache is shared with every other module and can evict them."""
    return re.compile(pattern, flags)


_SENTENCE = re.compile(r"[^.;!?\n]+[.;!?]?")
_HAS_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
                         r"forty|fifty|sixty|ninety)\b", re.IGNORECASE)


_CLAUSE_NUMBER = re.compile(r"^\s*(?:(?:section|article|clause)\s+)?\(?[0-9a-zA-Z]{1,4}(?:\.[0-9]{1,3})*[.)]?\s+",
                            re.IGNORECASE)


def body_sentences(clause: Clause) -> Iterator[tuple[int, str]]:
    """(offset in the clause, sentence) for the clause body, its leading number left out."""
    m = _CLAUSE_NUMBER.match(clause.text)
    skip = m.end() if m and any(ch.isdigit() for ch in m.group(0)) or (m and "(" in m.group(0)) else 0
    for sentence in _SENTENCE.finditer(clause.text, skip):
        yield sentence.start(), sentence.group(0)


@dataclass
class CheckContext:
    text: str
    clauses: list[Clause]
    targets: list[Target]
    confident: Callable[[str, float], bool] | None = None  # which labels count (see `run_playbook`)
    _lowered: dict[str, str | None] = field(default_factory=dict)
    _labels: dict[str, frozenset[str]] = field(default_factory=dict)
    _with: dict[tuple[str, ...], list[Clause]] = field(default_factory=dict)

    def lowered(self, clause: Clause) -> str | None:
        """The clause text and heading lowercased for substring pre-tests (None unless ASCII: see literals)."""
        if clause.id not in self._lowered:
            both = f"{clause.text}\n{clause.context_heading or ''}"
            self._lowered[clause.id] = both.lower() if both.isascii() else None
        return self._lowered[clause.id]

    def labels(self, clause: Clause) -> frozenset[str]:
        """The labels that count for the clause (computed once: every rule asks)."""
        found = self._labels.get(clause.id)
        if found is None:
            found = frozenset(lab.label for lab in clause.labels
                              if self.confident is None or self.confident(lab.label, lab.score))
            self._labels[clause.id] = found
        return found

    def clauses_with(self, labels: list[str]) -> list[Clause]:
        key = tuple(labels)
        if key not in self._with:
            wanted = set(labels)
            self._with[key] = [c for c in self.clauses if self.labels(c) & wanted]
        return self._with[key]

    def targets_in(self, clause: Clause) -> list[Target]:
        return [t for t in self.targets if t.clause_id == clause.id]


def _finding(rule: Rule, clause: Clause | None = None, start: int | None = None, end: int | None = None,
             text: str | None = None, message: str | None = None) -> Finding:
    if clause is not None and start is None:
        start, end, text = clause.start, clause.end, None
    return Finding(rule=rule.id, severity=rule.severity, message=message or rule.message,
                   suggestion=rule.suggestion, clause_id=clause.id if clause else None, start=start, end=end,
                   text=text)


# ------------------------------------------------------------------ section rules
def _per_channel(ctx: CheckContext, rule: Rule) -> bool:
    in_scope = set()
    for clause in ctx.clauses_with(["scope_of_services", "service_levels"]):
        for name, pattern in (("phone", r"\b(tele)?phone|\bcalls?\b"), ("email", r"e-?mail"), ("chat", r"\bchat\b"),
                              ("social", r"social media")):
            if _regex(pattern).search(clause.text):
                in_scope.add(name)
    if len(in_scope) < 2:
        return True
    with_targets = {t.channel for t in ctx.targets if t.metric in SLA_METRICS and t.channel and t.value is not None}
    return len(with_targets & in_scope) >= 2


def _priorities(ctx: CheckContext, rule: Rule) -> bool:
    levels = {t.priority.lower() for t in ctx.targets if t.priority and t.metric in SLA_METRICS}
    return len(levels) >= 2


SECTION_CHECKS: dict[str, Callable[[CheckContext, Rule], bool]] = {
    "per_channel": _per_channel,
    "priorities": _priorities,
}


@lru_cache(maxsize=512)
def _any_of(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...] | None]:
    """One pattern that matches wherever any of `patterns` does (one search per clause, not one per pattern),
    and the words one of which any match opens with (see `analyzer.literals`)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE), any_literals(patterns)


def _mentions(ctx: CheckContext, clause: Clause, pattern: re.Pattern[str], literals: tuple[str, ...] | None) -> bool:
    if literals is not None and not may_match(literals, ctx.lowered(clause)):
        return False
    return bool(pattern.search(clause.text) or pattern.search(clause.context_heading or ""))


def requirement_met(ctx: CheckContext, rule: Rule, requirement: Requirement) -> bool:
    if requirement.labels_any and not ctx.clauses_with(requirement.labels_any):
        return False
    if requirement.metrics_any and not any(
            t.metric in requirement.metrics_any and t.value is not None for t in ctx.targets):
        return False
    if requirement.text_any:
        pool = ctx.clauses_with(requirement.labels_any) if requirement.text_in_labels else ctx.clauses
        pattern, literals = _any_of(tuple(requirement.text_any))
        if not any(_mentions(ctx, c, pattern, literals) for c in pool):
            return False
    return not (requirement.check and not SECTION_CHECKS[requirement.check](ctx, rule))


# ------------------------------------------------------------------ drafting rules
def _placeholders(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    """Blanks anywhere in the text (headings and table headers too), tied to their clause when in one."""
    patterns = [_regex(p) for p in rule.params["patterns"]]
    ignore_before = _regex(rule.params.get("ignore_before", r"$^"))
    signature_blank = _regex(rule.params.get("signature_blank", r"^_+$"), 0)
    starts = [c.start for c in ctx.clauses]
    taken: list[tuple[int, int]] = []
    for pattern in patterns:
        for m in pattern.finditer(ctx.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if signature_blank.match(m.group(0)) and ignore_before.search(ctx.text[max(0, m.start() - 40):m.start()]):
                continue
            taken.append((m.start(), m.end()))
            index = bisect_right(starts, m.start()) - 1
            clause = ctx.clauses[index] if index >= 0 and m.end() <= ctx.clauses[index].end else None
            yield _finding(rule, clause, m.start(), m.end(), m.group(0),
                           f"Unfilled template blank {m.group(0)!r}: {rule.message}")


def _vague(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    words = _regex(r"\b(" + "|".join(rule.params["words"]) + r")\b")
    obligation = _regex(rule.params.get("obligation", r"\b(shall|will|must|agrees? to|undertakes? to)\b"))
    labels = set(rule.params.get("labels", []))
    for clause in ctx.clauses:
        if labels and not ctx.labels(clause) & labels:
            continue
        for offset, body in body_sentences(clause):
            m = words.search(body)
            if m and obligation.search(body) and not _HAS_NUMBER.search(body):
                start = clause.start + offset + m.start()
                yield _finding(rule, clause, start, start + len(m.group(0)), m.group(0),
                               f"Vague standard {m.group(0)!r} with no number: {rule.message}")


def _no_target(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    metrics = _regex(r"\b(" + "|".join(rule.params["metric_names"]) + r")\b")
    skip = set(rule.params.get("skip_labels", []))
    for clause in ctx.clauses:
        labels = ctx.labels(clause)
        if labels and labels <= skip:
            continue
        body = "".join(sentence for _, sentence in body_sentences(clause))
        m = metrics.search(clause.text)
        if m and not ctx.targets_in(clause) and not _HAS_NUMBER.search(body):
            start = clause.start + m.start()
            yield _finding(rule, clause, start, start + len(m.group(0)), m.group(0),
                           f"{m.group(0)} is named with no numeric target: {rule.message}")


def _inverted(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    clauses = {c.id: c for c in ctx.clauses}
    for t in ctx.targets:
        wrong = (t.metric in LOWER_IS_BETTER and t.comparator in {">=", ">"}) or (
            t.metric in HIGHER_IS_BETTER - {"service_level"} and t.comparator in {"<=", "<"})
        if wrong:
            direction = "lower" if t.metric in LOWER_IS_BETTER else "higher"
            yield _finding(rule, clauses.get(t.clause_id or ""), t.start, t.end, t.text,
                           f"{t.metric.replace('_', ' ')} is bounded with {t.comparator} although {direction} is "
                           f"better: {rule.message}")


def _no_period(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    period_words = _regex(rule.params["period_pattern"])
    metrics = set(rule.params.get("metrics", []))
    for clause in ctx.clauses:
        if period_words.search(clause.text) or period_words.search(" ".join(clause.heading_path)):
            continue
        for t in ctx.targets_in(clause):
            if t.metric in metrics and t.period is None and t.value is not None:
                yield _finding(rule, clause, t.start, t.end, t.text)
                break


def _conflict(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    metrics = set(rule.params.get("metrics", []))
    seen: dict[tuple, Target] = {}
    clauses = {c.id: c for c in ctx.clauses}
    for t in ctx.targets:
        if t.metric not in metrics or t.value is None:
            continue
        key = (t.metric, t.channel, (t.priority or "").lower(), t.share)
        first = seen.setdefault(key, t)
        if first is not t and first.clause_id != t.clause_id and first.normalized != t.normalized:
            yield _finding(rule, clauses.get(t.clause_id or ""), t.start, t.end, t.text,
                           f"{t.metric.replace('_', ' ')} is {t.text!r} here but {first.text!r} in clause "
                           f"{first.clause_id}: {rule.message}")


def _unrealistic(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    clauses = {c.id: c for c in ctx.clauses}
    for t in ctx.targets:
        if t.value is None or t.normalized is None:
            continue
        for limit in rule.params["limits"]:
            if t.metric != limit["metric"] or (limit.get("channel") and limit["channel"] != t.channel):
                continue
            too_fast = "min_seconds" in limit and t.normalized < limit["min_seconds"]
            too_slow = "max_seconds" in limit and t.normalized > limit["max_seconds"]
            too_high = "max_fraction" in limit and t.normalized >= limit["max_fraction"]
            if too_fast or too_slow or too_high:
                yield _finding(rule, clauses.get(t.clause_id or ""), t.start, t.end, t.text,
                               f"{t.text!r}: {limit['why']}")


def _uncapped(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    credit_clauses = ctx.clauses_with(["service_credits_and_penalties"])
    if not credit_clauses:
        return
    cap = _regex(rule.params["cap_pattern"])
    if any(t.metric == "credit_cap" for t in ctx.targets) or any(cap.search(c.text) for c in credit_clauses):
        return
    yield _finding(rule, credit_clauses[0])


def _termination_no_notice(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    pattern = _regex(rule.params["pattern"])
    for clause in ctx.clauses_with(["termination"]):
        for offset, sentence in body_sentences(clause):
            m = pattern.search(sentence)
            if m and not _HAS_NUMBER.search(sentence) and not _regex(
                    r"\b(breach|insolven|bankrupt|fail|default|immediately)").search(sentence):
                start = clause.start + offset + m.start()
                yield _finding(rule, clause, start, start + len(m.group(0)), m.group(0))


def _term_unfilled(ctx: CheckContext, rule: Rule) -> Iterator[Finding]:
    blank = _regex(rule.params["blank_pattern"])
    term = _regex(rule.params["term_pattern"])
    for clause in ctx.clauses:
        if "term_and_renewal" not in ctx.labels(clause) and not term.search(clause.text):
            continue
        for offset, sentence in body_sentences(clause):
            if term.search(sentence) and (m := blank.search(sentence)):
                start = clause.start + offset + m.start()
                yield _finding(rule, clause, start, start + len(m.group(0)), m.group(0))


DRAFTING_CHECKS: dict[str, Callable[[CheckContext, Rule], Iterator[Finding]]] = {
    "placeholders": _placeholders,
    "vague_standard": _vague,
    "metric_without_target": _no_target,
    "inverted_bound": _inverted,
    "missing_period": _no_period,
    "conflicting_targets": _conflict,
    "unrealistic_target": _unrealistic,
    "uncapped_remedies": _uncapped,
    "termination_without_notice": _termination_no_notice,
    "unfilled_term": _term_unfilled,
}
