"""What the service loads once at start-up (the analyzer, playbooks, worker threads, the store)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from analyzer.checks import builtin_names
from analyzer.errors import AnalyzerError
from analyzer.ingest.limits import IngestLimits
from analyzer.pipeline import Analyzer
from service.analysis import Outcome, analyze_upload, summarize
from service.errors import ServiceError
from service.runner import Runner
from service.settings import Settings
from service.store import BatchStore
from service.worker import BatchWorker

if TYPE_CHECKING:
    from service.processes import ProcessPool

log = logging.getLogger("clauses.service")
STOP_GRACE_S = 5.0
WARM_UP = b"""SERVICE AGREEMENT

1. Services

1.1 The Supplier shall answer 80% of calls within 20 seconds, measured monthly.
"""


@dataclass
class PlaybookInfo:
    id: str
    name: str
    description: str
    doc_types: list[str]
    rules: int


@dataclass
class Services:
    settings: Settings
    analyzer: Analyzer
    runner: Runner
    store: BatchStore
    batches: BatchWorker
    playbooks: dict[str, PlaybookInfo] = field(default_factory=dict)
    model_status: str = "loaded"
    started: float = field(default_factory=time.time)
    # analyze(data, file_name, content_type, playbook, formats) -> Outcome, in a child process or in this one
    analyze: Callable[..., Outcome] | None = None
    pool: ProcessPool | None = None

    def close(self) -> None:
        self.batches.stop()
        self.runner.close()
        self.store.close()
        if self.pool is not None:
            self.pool.close()


def build_analyzer(settings: Settings) -> tuple[Analyzer, str]:
    """An analyzer with the service's limits, warmed up; and whether its model loaded."""
    limits = IngestLimits(max_bytes=settings.max_upload_bytes, max_pages=settings.max_pages,
                          max_uncompressed_bytes=settings.zip_max_total_bytes)
    analyzer = Analyzer(limits=limits)
    warm = analyzer.analyze(WARM_UP, file_name="warm-up.txt")  # spaCy and the extractor get ready here
    model_status = "loaded" if analyzer.classifier is not None else next(
        (w for w in warm.document.warnings if "not labelled" in w), "unavailable")
    return analyzer, model_status


def load_services(settings: Settings) -> Services:
    """Load the model, spaCy and every built-in playbook now, so no request pays for it."""
    analyzer = Analyzer()
    playbooks: dict[str, PlaybookInfo] = {}
    for name in builtin_names():
        try:
            book = analyzer.playbook(name)
        except AnalyzerError as exc:
            log.error("playbook %s not loaded: %s", name, exc)
            continue
        playbooks[name] = PlaybookInfo(book.id, book.name, book.description, list(book.doc_types), len(book.rules))
    pool: ProcessPool | None = None
    if settings.processes:
        from service.processes import ProcessPool

        pool = ProcessPool(settings.workers)
        model_status = str(pool.hello.get("model_status", "unavailable"))
        time_limit = settings.time_limit

        def analyze(data: bytes, file_name: str, content_type: str | None, playbook: str | None,
                    formats: tuple[str, ...] = ()) -> Outcome:
            return pool.analyze(data, file_name, content_type, playbook, formats, time_limit)

        # the process is killed at the time limit; the thread's own stop request is only a backstop
        runner = Runner(settings.workers, settings.max_queue, settings.time_limit + STOP_GRACE_S)
    else:
        analyzer, model_status = build_analyzer(settings)

        def analyze(data: bytes, file_name: str, content_type: str | None, playbook: str | None,
                    formats: tuple[str, ...] = ()) -> Outcome:
            return analyze_upload(analyzer, data, file_name, content_type, playbook, formats)

        runner = Runner(settings.workers, settings.max_queue, settings.time_limit)
    store = BatchStore(settings.store)
    store.purge_expired()
    interrupted = store.fail_unfinished("the service restarted before this document was analysed; send it again")
    if interrupted:
        log.warning("batch items failed on restart count=%d", interrupted)

    def analyze_for_batch(file_name: str, data: bytes, content_type: str | None,
                          playbook: str | None) -> tuple[str, dict]:
        outcome = analyze(data, file_name, content_type, playbook)
        return outcome.report.model_dump_json(), summarize(outcome.report)

    worker = BatchWorker(store, runner, analyze_for_batch, max_pending_bytes=2 * settings.max_batch_bytes)
    worker.start()
    return Services(settings, analyzer, runner, store, worker, playbooks, model_status, analyze=analyze, pool=pool)


def get_services(request: Request) -> Services:
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise ServiceError(503, "starting", "the service is still starting; retry in a few seconds",
                           {"Retry-After": "5"})
    return services
