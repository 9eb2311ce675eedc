"""Target extraction against quantulum3 (a general quantity extractor), in the same run.

    python bench/bench_targets.py

Accuracy: share of sentences in bench/data/target_sentences.json where the extractor finds
the expected value in the expected unit (quantulum3 knows no metric, so only value and
unit are compared for both). Throughput: words/s of our extractor on one core over the
corpus clauses (goal >= 50,000 words/s).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUANTULUM_UNITS = {"second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "weeks",
                   "month": "months", "year": "years", "percentage": "percent"}


def ours(rows, extractor):
    from analyzer.model import Clause

    hits = 0
    for row in rows:
        clause = Clause(id="c1", text=row["text"], start=0, end=len(row["text"]))
        found = extractor.extract([clause])
        hits += any(t.value == row["value"] and t.unit == row["unit"] for t in found)
    return hits


def quantulum(rows):
    from quantulum3 import classifier, parser

    # Its shipped disambiguation model no longer unpickles with current scikit-learn: use its rule-based mode.
    classifier.USE_CLF = False

    hits = 0
    for row in rows:
        for q in parser.parse(row["text"]):
            unit = QUANTULUM_UNITS.get(q.unit.name.rstrip("s"), q.unit.name)
            unit = "business_days" if unit == "days" and "business day" in row["text"].lower() else unit
            if row["value"] is not None and q.value == row["value"] and unit == row["unit"]:
                hits += 1
                break
    return hits


def main() -> None:
    from analyzer.classify.corpus import load_corpus
    from analyzer.extract import TargetExtractor
    from analyzer.model import Clause

    rows = json.loads((HERE / "data" / "target_sentences.json").read_text())
    extractor = TargetExtractor()
    print(f"{len(rows)} sentences with a known target")
    print(f"  ours:       {ours(rows, extractor)}/{len(rows)} value+unit correct")
    try:
        print(f"  quantulum3: {quantulum(rows)}/{len(rows)} value+unit correct")
    except ImportError as exc:
        print(f"  quantulum3: not available ({exc}); pip install quantulum3")
    texts = [e.text for e in load_corpus(HERE.parent / "corpora" / "clauses")]
    clauses = [Clause(id=f"c{i}", text=t, start=0, end=len(t)) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    found = extractor.extract(clauses)
    seconds = time.perf_counter() - start
    print(f"throughput: {words / seconds:,.0f} words/s ({len(texts)} clauses, {words} words, {len(found)} targets)")


if __name__ == "__main__":
    main()
