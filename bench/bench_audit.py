"""Throughput of `clauses audit`: documents/s and pages/s with 1 and 2 Dask workers on one generated archive,
the scaling ratio, and the engine's overhead against `Analyzer.analyze` in a plain loop in this process.

    python bench/bench_audit.py [--docs 600] [--workers 1,2] [--timeout 120] [--repeat 1]

Wall figures include everything (cluster start, each worker loading the model, writing reports, tables and
the dashboard); "steady" figures run from the outcome at 10% of the archive to the one at 90%, when every
worker is warm. On a machine shared with other work, use --repeat: the fastest run of each is kept.
PDFs are the only documents with pages.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_audit_corpus import make_archive  # noqa: E402

from analyzer.audit.runner import AuditConfig, run_audit  # noqa: E402
from analyzer.audit.sources import SourceReader, enumerate_sources  # noqa: E402


def _spin(n: int = 3_000_000) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - started


def cpu_ceiling() -> float:
    """How much faster 2 processes get through pure-Python work than 1 on this machine right now (2.0: two
    free cores). The audit's scaling cannot beat it; other load on the machine lowers it."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [10, 10]))  # start both processes
        one = pool.submit(_spin).result()
        started = time.perf_counter()
        list(pool.map(_spin, [3_000_000, 3_000_000]))
        two = time.perf_counter() - started
    return 2 * one / two


def plain_loop(args: list[str]) -> dict[str, float]:
    """`Analyzer.analyze` over every document, one process, no engine (the reference)."""
    from analyzer.pipeline import Analyzer

    sources = enumerate_sources(args).sources
    reader = SourceReader()
    started = time.perf_counter()
    analyzer = Analyzer()
    _ = analyzer.classifier, analyzer.extractor
    loaded = time.perf_counter()
    pages = docs = 0
    for source in sources:
        report = analyzer.analyze(reader.read(source), file_name=source.name)
        report.model_dump_json(indent=2)  # the audit serializes every report too
        pages += report.document.pages
        docs += 1
    done = time.perf_counter()
    return {"docs": docs, "pages": pages, "load_s": loaded - started, "loop_s": done - loaded,
            "docs_per_s": docs / (done - loaded), "pages_per_s": pages / (done - loaded)}


def audit(args: list[str], out: Path, workers: int, timeout: float) -> dict[str, float]:
    result = run_audit(AuditConfig(args, out, workers=workers, timeout=timeout, quiet=True))
    assert not result.failed, f"{result.failed} documents failed"
    steady = result.timings.get("steady_docs_per_s", 0.0)
    pages_per_doc = result.pages / max(result.documents, 1)
    return {"docs": result.documents, "pages": result.pages, "wall_s": result.seconds,
            "docs_per_s": result.documents / result.seconds, "pages_per_s": result.pages / result.seconds,
            "cluster_start_s": result.timings.get("cluster_start", 0.0),
            "first_outcome_s": result.timings.get("first_outcome", 0.0),
            "steady_docs_per_s": steady, "steady_pages_per_s": steady * pages_per_doc}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600, help="documents in the archive (a sixth of them zipped)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-document limit (0: in-process)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest is kept "
                        "(for a machine shared with other work)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        root = Path(tmp)
        zipped = options.docs // 6
        archive = make_archive(root, n_plain=options.docs - zipped - 5, n_zipped=zipped, duplicates=0,
                               broken=False)
        print(f"archive: {len(archive.documents)} documents (PDF, DOCX, TXT, MD; {zipped} zipped), "
              f"{sys.version.split()[0]}", flush=True)

        ceiling = max(cpu_ceiling() for _ in range(options.repeat))
        print(f"machine: {ceiling:.2f}x pure-Python throughput with 2 processes instead of 1", flush=True)
        loop = max((plain_loop(archive.args) for _ in range(options.repeat)), key=lambda r: r["docs_per_s"])
        print(f"plain loop  : {loop['docs']} docs, {loop['pages']} pages in {loop['loop_s']:.1f} s "
              f"(+{loop['load_s']:.1f} s model load): {loop['docs_per_s']:.1f} docs/s, "
              f"{loop['pages_per_s']:.1f} pages/s", flush=True)

        runs = {}
        for n in (int(w) for w in options.workers.split(",")):
            tries = [audit(archive.args, root / f"out-{n}-{k}", n, options.timeout) for k in range(options.repeat)]
            runs[n] = r = max(tries, key=lambda t: t["docs_per_s"])
            print(f"audit {n} worker{'s' if n > 1 else ' '}: {r['docs']} docs, {r['pages']} pages in "
                  f"{r['wall_s']:.1f} s wall: {r['docs_per_s']:.1f} docs/s, {r['pages_per_s']:.1f} pages/s; "
                  f"steady {r['steady_docs_per_s']:.1f} docs/s, {r['steady_pages_per_s']:.1f} pages/s "
                  f"(cluster up in {r['cluster_start_s']:.1f} s, first outcome after "
                  f"{r['first_outcome_s']:.1f} s more)", flush=True)

    if 1 in runs and 2 in runs:
        wall = runs[2]["docs_per_s"] / runs[1]["docs_per_s"]
        steady = runs[2]["steady_docs_per_s"] / max(runs[1]["steady_docs_per_s"], 1e-9)
        print(f"scaling 2 vs 1 worker: {wall:.2f}x wall, {steady:.2f}x steady (machine ceiling {ceiling:.2f}x)")
    if 1 in runs:
        one = runs[1]
        per_doc_loop = 1 / loop["docs_per_s"]
        per_doc_audit = 1 / max(one["steady_docs_per_s"], 1e-9)
        fixed = one["wall_s"] - loop["loop_s"] - loop["load_s"]
        print(f"engine overhead, 1 worker vs plain loop: {100 * (per_doc_audit / per_doc_loop - 1):+.0f}% per "
              f"document in steady state ({1000 * per_doc_audit:.1f} ms vs {1000 * per_doc_loop:.1f} ms); "
              f"{fixed:+.1f} s wall in all (startup, journal, reports, tables, dashboard)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
