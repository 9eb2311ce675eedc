"""Classifier speed and size: clauses/s on one core, model load time, model size on disk.

    python bench/bench_classify.py

Goals: >= 2,000 clauses/s on one core, load < 1 s, model < 30 MB. Uses the corpus's own
clauses as input (the throughput does not depend on the labels).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.model import ClauseClassifier, default_model_dir
    from analyzer.classify.store import META_FILE, WEIGHTS_FILE

    examples = load_corpus(ROOT / "corpora" / "clauses")
    texts = [e.text for e in examples]
    headings = [e.heading or None for e in examples]
    start = time.perf_counter()
    classifier = ClauseClassifier.load()
    load_s = time.perf_counter() - start
    classifier.predict(texts[:50], headings[:50])  # warm-up
    start = time.perf_counter()
    for _ in range(3):
        classifier.predict(texts, headings)
    rate = 3 * len(texts) / (time.perf_counter() - start)
    size = sum((default_model_dir() / f).stat().st_size for f in (WEIGHTS_FILE, META_FILE)) / 1e6
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"throughput: {rate:,.0f} clauses/s on one core ({len(texts)} clauses of {words:.0f} words on average)")
    print(f"model load: {load_s * 1000:.0f} ms")
    print(f"model size: {size:.1f} MB ({WEIGHTS_FILE} + {META_FILE})")


if __name__ == "__main__":
    main()
