"""Whole analysis vs pdfplumber's bare text extraction, on the same PDFs in the same run.

    python bench/bench_ingest.py [PDF ...]        (default: ../shared/eval/docs/*.pdf)

Prints pages/s for both and the ratio (goal: the whole analysis >= 5x faster than
pdfplumber's extract_text), then the peak memory of analyzing a generated 300-page PDF
in a child process (goal: < 300 MB).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = sorted((ROOT.parent / "shared" / "eval" / "docs").glob("*.pdf"))


def pdfplumber_pages_per_s(files: list[Path]) -> tuple[int, float]:
    import pdfplumber

    pages, start = 0, time.perf_counter()
    for file in files:
        with pdfplumber.open(file) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return pages, time.perf_counter() - start


def analyzer_seconds(files: list[Path]) -> float:
    from analyzer.pipeline import Analyzer

    analyzer = Analyzer()
    analyzer.analyze(files[0])  # load the model, spaCy and playbooks once, as a service or batch does
    start = time.perf_counter()
    for file in files:
        analyzer.analyze(file)
    return time.perf_counter() - start


def make_long_pdf(path: Path, pages: int = 300) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 8)
        c.drawString(72, 810, "MASTER SERVICES AGREEMENT - CONFIDENTIAL")
        c.drawString(290, 30, f"Page {number} of {pages}")
        c.setFont("Helvetica", 10)
        y = 770
        for clause in range(1, 9):
            c.drawString(72, y, f"{number}.{clause} Service Levels. The Supplier shall answer {70 + clause}% of calls")
            c.drawString(72, y - 13, f"within {10 + clause} seconds and resolve Priority {clause % 4 + 1} incidents "
                                     f"within {clause} hours, measured monthly.")
            y -= 90
        c.showPage()
    c.save()


def peak_memory_mb(pdf: Path) -> float:
    code = ("import resource, sys; from analyzer.pipeline import Analyzer; Analyzer().analyze(sys.argv[1]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(pdf)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or DEFAULT
    if not files:
        sys.exit("no PDFs given and ../shared/eval/docs has none")
    pages, plumber_s = pdfplumber_pages_per_s(files)
    ours_s = analyzer_seconds(files)
    print(f"{len(files)} PDFs, {pages} pages")
    print(f"pdfplumber extract_text: {plumber_s:.2f} s ({pages / plumber_s:.1f} pages/s)")
    print(f"clauses analyze (ingest+segment+classify+targets+checks): {ours_s:.2f} s ({pages / ours_s:.1f} pages/s)")
    print(f"ratio: the whole analysis is {plumber_s / ours_s:.1f}x faster than pdfplumber's bare extraction")
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf = Path(tmp) / "long.pdf"
        make_long_pdf(long_pdf)
        start = time.perf_counter()
        peak = peak_memory_mb(long_pdf)
        print(f"300-page PDF: peak memory {peak:.0f} MB (child process, including imports), "
              f"{time.perf_counter() - start:.1f} s with start-up")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak)")


if __name__ == "__main__":
    main()
