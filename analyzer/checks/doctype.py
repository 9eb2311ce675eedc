"""What kind of agreement a document is, and which playbook fits it."""

from __future__ import annotations

import re
from collections import Counter

from analyzer.model import Clause

# Title words, checked against the document's first headings and lines.
TITLE_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("dpa", re.compile(r"data processing|data protection (agreement|addendum)|\bdpa\b|processor terms", re.I)),
    ("sla", re.compile(r"service level|\bsla\b|support (policy|services? standard)|service standard", re.I)),
    ("sla", re.compile(r"contact cent(er|re)|call cent(er|re)|customer (care|service) (services )?agreement", re.I)),
    ("outsourcing", re.compile(r"outsourc|business process|\bbpo\b", re.I)),
    ("support", re.compile(r"support and maintenance|maintenance (and support )?agreement|support agreement", re.I)),
    ("msa", re.compile(r"master (services? )?agreement|terms of service|cloud terms|subscription|customer "
                       r"agreement|terms and conditions|professional services|services agreement|hosting", re.I)),
]
CALL_CENTER = re.compile(r"call cent(er|re)|contact cent(er|re)|\bagents?\b|inbound calls|answered|abandon|"
                         r"average handle|csat|customer service", re.I)

PLAYBOOK_FOR = {"dpa": "dpa", "outsourcing": "service-agreement", "support": "service-agreement",
                "msa": "service-agreement", "other": "service-agreement"}


def detect_doc_type(clauses: list[Clause], text: str) -> tuple[str, str]:
    """(type, reason). Title words first; else the balance of clause labels."""
    opening = text[:600]
    for doc_type, pattern in TITLE_CUES:
        if m := pattern.search(opening):
            return doc_type, f"the title or opening says {m.group(0)!r}"
    counts = Counter(lab.label for c in clauses for lab in c.labels[:1])
    total = sum(counts.values()) or 1
    if counts["data_protection"] / total > 0.3:
        return "dpa", f"{counts['data_protection']} of {total} clauses are about data protection"
    if (counts["service_levels"] + counts["service_credits_and_penalties"]) / total > 0.25:
        return "sla", "most clauses set service levels or credits"
    return "other", "no title words or dominant clause type; treated as a general service agreement"


def playbook_for(doc_type: str, text: str) -> tuple[str, str]:
    if doc_type == "sla":
        hits = len(CALL_CENTER.findall(text[:50_000]))
        if hits >= 3:
            return "customer-service-sla", f"an SLA with {hits} call-center/customer-service terms"
        return "saas-sla", "an SLA without call-center terms"
    return PLAYBOOK_FOR[doc_type], f"the playbook for {doc_type} documents"
