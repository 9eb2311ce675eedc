"""One Analyzer shared by threads (as the service does) gives the same reports as a loop."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from analyzer.pipeline import Analyzer


def _pdf(seed: int) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for page in range(1, 4):
        y = 780
        for n in range(1, 12):
            text = f"{page}.{n} The Supplier shall respond within {seed + n} hours to Priority {n % 4 + 1}."
            c.drawString(72, y, text)
            y -= 40
        c.showPage()
    c.save()
    return out.getvalue()


def test_pipeline_threads_share_one_analyzer_safely():
    analyzer = Analyzer()
    documents = [(_pdf(seed), f"doc{seed}.pdf") for seed in range(8)]
    expected = [analyzer.analyze(data, name).model_dump_json() for data, name in documents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            got = list(pool.map(lambda doc: analyzer.analyze(doc[0], doc[1]).model_dump_json(), documents))
            assert got == expected
