"""Latency and throughput of POST /api/v1/analyses for a 10-page PDF, with 1 and 8 concurrent clients.

Starts its own server (`clauses serve` on a free 127.0.0.1 port), sends a bounded number of requests,
prints p50/p95/max latency and requests per second, and stops the server.

    python bench/bench_service.py [--requests 80] [--concurrency 1,8] [--pages 10] [--json out.json]

Goal: p95 under 500 ms with 8 concurrent clients on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_service_support import free_port, sla_pdf  # noqa: E402  (the same 10-page agreement the service tests send)

GOAL_P95_MS = 500.0


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    script = Path(sys.executable).with_name("clauses")
    command = [str(script)] if script.exists() else [shutil.which("clauses") or "clauses"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSES_")}
    env.update({"CLAUSES_STORE": str(folder / "store.sqlite3"), "CLAUSES_LOG_LEVEL": "warning",
                "PYTHONWARNINGS": "ignore"})
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{(folder / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start in 120 s")


def _client(url: str, pdf: bytes, count: int, start_at: float) -> tuple[list[float], list[int]]:
    """One client: `count` requests back to back, from `start_at` (a time.time() all clients share)."""
    latencies: list[float] = []
    failures: list[int] = []
    with httpx.Client(base_url=url, timeout=120) as http:
        time.sleep(max(0.0, start_at - time.time()))
        for _ in range(count):
            started = time.perf_counter()
            response = http.post("/api/v1/analyses", files={"file": ("ten.pdf", pdf, "application/pdf")})
            elapsed = time.perf_counter() - started
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                failures.append(response.status_code)
    return latencies, failures


def run_clients(url: str, pdf: bytes, concurrency: int, total: int) -> dict[str, float]:
    """`concurrency` clients, each its own process (as separate programs are: no shared GIL skewing the
    times they record), each sending its share of `total` requests back to back."""
    shares = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
    start_at = time.time() + 1.0  # every client process is up before the first request
    with ProcessPoolExecutor(concurrency) as clients:
        futures = [clients.submit(_client, url, pdf, share, start_at) for share in shares]
        outcomes = [f.result() for f in futures]
    wall = time.time() - start_at
    latencies = sorted(x for lat, _ in outcomes for x in lat)
    failures = [code for _, codes in outcomes for code in codes]
    ms = [1000 * x for x in latencies]

    def pct(p: float) -> float:
        return statistics.quantiles(ms, n=100, method="inclusive")[int(p) - 1] if len(ms) > 1 else ms[0]

    return {"concurrency": concurrency, "requests": len(ms), "failures": len(failures),
            "p50_ms": round(pct(50), 1), "p95_ms": round(pct(95), 1), "max_ms": round(ms[-1], 1),
            "rps": round(len(ms) / wall, 2), "seconds": round(wall, 2)}


def in_process_ms(pdf: bytes, runs: int = 10) -> float:
    """Median time of `Analyzer.analyze` alone on this document: the floor under any HTTP latency."""
    from analyzer.pipeline import Analyzer

    analyzer = Analyzer()
    analyzer.analyze(pdf, file_name="ten.pdf")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        analyzer.analyze(pdf, file_name="ten.pdf")
        times.append(1000 * (time.perf_counter() - started))
    return round(statistics.median(times), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=80, help="requests per concurrency level (default 80)")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client counts (default 1,8)")
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-baseline", action="store_true", help="skip timing the analyzer alone in-process")
    args = parser.parse_args(argv)
    pdf = sla_pdf(args.pages)
    print(f"document: {args.pages}-page PDF, {len(pdf) / 1024:.0f} KB; machine: {os.cpu_count()} cores, "
          f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews the figures)")
    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        process, url = start_server(Path(folder))
        try:
            for _ in range(5):  # warm-up
                httpx.post(f"{url}/api/v1/analyses", files={"file": ("ten.pdf", pdf, "application/pdf")}, timeout=60)
            results = [run_clients(url, pdf, int(c), args.requests) for c in args.concurrency.split(",")]
        finally:
            process.terminate()
            process.wait(15)
    print(f"{'clients':>7} {'requests':>8} {'fail':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>6}")
    for r in results:
        print(f"{r['concurrency']:>7} {r['requests']:>8} {r['failures']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['max_ms']:>8} {r['rps']:>6}")
    eight = next((r for r in results if r["concurrency"] == 8), None)
    if eight is not None:
        verdict = "met" if eight["p95_ms"] < GOAL_P95_MS else "MISSED"
        print(f"goal p95 < {GOAL_P95_MS:.0f} ms at 8 clients: {verdict} ({eight['p95_ms']} ms)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    baseline = None if args.no_baseline else in_process_ms(pdf)
    if baseline is not None:
        print(f"analysis alone, in-process, one thread: {baseline} ms per document "
              f"(so at most {1000 / baseline:.1f} documents/s per core)")
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": args.pages, "bytes": len(pdf), "cores": os.cpu_count(),
                                               "analyze_ms": baseline, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
