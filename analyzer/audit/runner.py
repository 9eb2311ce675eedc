"""`clauses audit`: plan the run (inputs, what earlier runs finished), run it on Dask, write the outputs.

Exit codes: 0 the audit ran (failed documents are rows, not errors), 2 usage errors, 130 interrupted
(the journal is consistent: rerun with --resume).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import itertools
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.audit.dispatch import Dispatcher
from analyzer.audit.engine import DaskEngine, EngineConfig, EngineError
from analyzer.audit.journal import Journal, JournalLockedError
from analyzer.audit.models import JournalEntry, Outcome, PlaybookSpec
from analyzer.audit.plan import latest, make_plan
from analyzer.audit.progress import Progress
from analyzer.audit.recorder import Recorder
from analyzer.audit.sources import Source, SourceReader, ZipLimits, enumerate_sources

EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130


class UsageError(Exception):
    """A problem with the command line (one line)."""


@dataclass
class AuditConfig:
    paths: list[str]
    out: Path
    playbook: str | None = None
    workers: int | None = None
    scheduler: str | None = None
    resume: bool = False
    timeout: float = 120.0
    batch_docs: int | None = None
    zip_limits: ZipLimits = field(default_factory=ZipLimits)
    quiet: bool = False


@dataclass
class AuditResult:
    documents: int = 0  # rows of the summary
    todo: int = 0  # documents this run had to finish
    analyzed: int = 0  # sent to the workers this run
    recorded: int = 0  # journal entries written this run
    failed: int = 0  # failed rows in the summary
    seconds: float = 0.0
    engine_seconds: float = 0.0  # from the cluster being up to the last outcome
    timings: dict[str, float] = field(default_factory=dict)  # startup, first outcome, steady docs/s
    pages: int = 0
    interrupted: bool = False
    entries: list[JournalEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def playbook_spec(value: str | None) -> PlaybookSpec:
    """Validate --playbook; a file's text travels with the work so remote workers need no copy of it."""
    if not value or value == "auto":
        return PlaybookSpec(label="auto")
    from analyzer.checks import builtin_names, load_playbook
    from analyzer.errors import AnalyzerError

    try:
        playbook = load_playbook(value)
    except AnalyzerError as exc:
        raise UsageError(str(exc)) from None
    if value in builtin_names():
        return PlaybookSpec(name=value, label=value)
    text = Path(value).read_text(encoding="utf-8")
    return PlaybookSpec(text=text, label=f"{playbook.id}@{hashlib.sha256(text.encode()).hexdigest()[:12]}")


def _check_extras() -> None:
    import importlib.util

    missing = [m for m in ("distributed", "pandas", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"the audit needs {', '.join(missing)}: pip install 'clause-analyzer[batch]'")


def _check_config(config: AuditConfig) -> None:
    _check_extras()
    if config.workers is not None and config.workers < 1:
        raise UsageError("--workers must be at least 1")
    if config.timeout < 0:
        raise UsageError("--timeout must be positive (0: no limit)")
    if config.out.exists() and not config.out.is_dir():
        raise UsageError(f"{config.out}: --out must be a folder")
    for path in config.paths:
        if not glob.has_magic(path) and not Path(path).exists():
            raise UsageError(f"{path}: no such file or folder")


def run_audit(config: AuditConfig) -> AuditResult:
    """Run an audit; raises `UsageError` before doing any work if the command line is wrong."""
    from analyzer import __version__

    started = time.monotonic()
    _check_config(config)
    spec = playbook_spec(config.playbook)
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    inventory = enumerate_sources(config.paths, exclude=out, limits=config.zip_limits)
    if not inventory.sources:
        raise UsageError(f"no documents found in {' '.join(config.paths)}")
    result = AuditResult()
    result.notes += [f"{arg}: matched no documents" for arg in inventory.unmatched]
    result.notes += [f"two inputs share a path, renamed: {r}" for r in inventory.renamed]
    try:
        journal = Journal(out)
        journal.open()
    except JournalLockedError as exc:
        raise UsageError(str(exc)) from None
    try:
        _run(config, spec, __version__, inventory.sources, journal, result)
        finished = latest(journal.entries(), __version__, spec.label)
    finally:
        journal.close()
    result.entries = [finished[s.path] for s in inventory.sources if s.path in finished]
    result.documents = len(result.entries)
    result.failed = sum(e.status != "ok" for e in result.entries)
    result.pages = sum(e.facts.pages for e in result.entries if e.facts and e.status == "ok")
    if not result.interrupted:
        from analyzer.audit.dashboard import render_dashboard
        from analyzer.audit.outputs import summary_rows, write_outputs

        write_outputs(out, result.entries)
        html = render_dashboard(summary_rows(result.entries), elapsed=time.monotonic() - started)
        (out / ".dashboard.html.tmp").write_text(html, encoding="utf-8")
        (out / ".dashboard.html.tmp").replace(out / "dashboard.html")
    result.seconds = time.monotonic() - started
    return result


def _run(config: AuditConfig, spec: PlaybookSpec, version: str, sources: list[Source], journal: Journal,
         result: AuditResult) -> None:
    plan = make_plan(sources, journal.entries(), version, spec.label, config.out)
    result.todo = len(plan.todo)
    if config.resume and not plan.earlier:
        result.notes.append(f"nothing to resume in {config.out}: starting afresh")
    progress = Progress(len(plan.todo), skipped=plan.done_before, quiet=config.quiet)

    def on_record(entry: JournalEntry) -> None:
        result.recorded += 1
        progress.advance(entry.status != "ok")

    reader = SourceReader(config.zip_limits)
    recorder = Recorder(config.out, journal, version, spec.label, on_record)
    dispatcher = Dispatcher(plan.todo, reader, recorder, plan.known)
    engine = DaskEngine(EngineConfig(config.workers, config.scheduler, config.timeout, config.batch_docs))
    arrivals: list[float] = []

    def on_outcome(outcome: Outcome) -> None:
        arrivals.append(time.monotonic())
        dispatcher.on_outcome(outcome)

    try:
        work = dispatcher.items()
        first = next(work, None)  # no cluster at all when nothing needs analysis
        if first is not None:
            starting = time.monotonic()
            engine.start()
            if version not in engine.worker_versions:
                result.notes.append(f"workers run analyzer {sorted(engine.worker_versions)}, this client {version}")
            engine_started = time.monotonic()
            result.timings["cluster_start"] = engine_started - starting
            engine.run(itertools.chain([first], work), len(plan.todo), spec, on_outcome, on_batch=journal.sync)
            result.engine_seconds = time.monotonic() - engine_started
            result.timings.update(_steady(arrivals, engine_started))
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        engine.close()
        reader.close()
        result.analyzed = dispatcher.sent
        progress.finish()


def _steady(arrivals: list[float], started: float) -> dict[str, float]:
    """Time to the first outcome (model loading included), and the rate between the outcomes at 10% and at
    90% of the run: the steady state, without the start-up and the last stragglers."""
    if not arrivals:
        return {}
    out = {"first_outcome": arrivals[0] - started, "last_outcome": arrivals[-1] - started}
    low, high = len(arrivals) // 10, len(arrivals) * 9 // 10
    if high - low >= 10 and arrivals[high] > arrivals[low]:
        out["steady_docs_per_s"] = (high - low) / (arrivals[high] - arrivals[low])
    return out


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_audit_command(args: argparse.Namespace) -> int:
    """The `audit` subcommand of the CLI."""
    config = AuditConfig(paths=list(args.paths), out=Path(args.out), playbook=args.playbook, workers=args.workers,
                         scheduler=args.scheduler, resume=args.resume,
                         timeout=args.timeout if args.timeout is not None else 120.0)
    if config.scheduler and config.workers:
        print("clauses: --workers is ignored with --scheduler", file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        result = run_audit(config)
    except (UsageError, EngineError) as exc:
        print(f"clauses: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the output folder cannot be written (permissions, disk full): the journal holds
        print(f"clauses: {exc.filename or config.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        result = AuditResult(interrupted=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    for note in result.notes:
        print(f"clauses: {note}", file=sys.stderr)
    if result.interrupted:
        print(f"clauses: interrupted; {result.recorded} more documents recorded in {config.out} (the journal is "
              f"consistent). Run the same command with --resume to finish.", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"audit: {result.documents} documents ({result.failed} failed, {result.pages} pages); "
          f"{result.analyzed} analyzed, {result.todo - result.analyzed} read from duplicates or refused, "
          f"{result.documents - result.todo} done before; {result.seconds:.1f} s. "
          f"Dashboard: {config.out / 'dashboard.html'}", file=sys.stderr)
    return EXIT_OK
