"""The service's parts without a server: the runner's time limit, zip limits, the store, settings, views."""

from __future__ import annotations

import re
import time
import zipfile

import anyio
import httpx
import pytest
from test_service_support import sla_docx, zip_bomb, zip_of

from analyzer.model import Clause, DocumentInfo, Finding, Report
from service.errors import ServiceError
from service.limits import ZipLimits, expand_zip, is_archive
from service.main import create_app
from service.runner import Busy, JobTimeout, Runner
from service.settings import MB, Settings, get_settings
from service.store import BatchStore
from service.view import build_view, document_html

LIMITS = ZipLimits(max_entries=3, max_total_bytes=4 * MB, max_ratio=50)


def spin(seconds: float) -> float:
    """Pure-Python busy work, like a pathological document."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return seconds


@pytest.fixture
def runner():
    pool = Runner(workers=1, max_queue=1, time_limit=0.3)
    yield pool
    pool.close()


def test_a_job_over_its_time_limit_is_answered_and_stopped(runner):
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="0.3 s limit"):
        runner.submit(spin, 30).result(timeout=10)
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 5
    while runner.stats()["running"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.stats() == {"running": 0, "waiting": 0}  # the thread really stopped
    assert runner.run_sync(spin, 0.01) == 0.01  # and the same worker serves the next job
    for _ in range(5):  # stops in a row never kill the worker thread
        with pytest.raises(JobTimeout):
            runner.submit(spin, 5, wait=True).result(timeout=10)
    assert runner.run_sync(spin, 0.01) == 0.01


def test_a_full_runner_says_busy(runner):
    first = runner.submit(spin, 0.2)
    second = runner.submit(spin, 0.01)
    with pytest.raises(Busy):
        runner.submit(spin, 0.01)
    assert first.result(5) == 0.2 and second.result(5) == 0.01


def test_archives_are_told_from_office_documents():
    assert is_archive(zip_of({"a.txt": b"x"}))
    assert not is_archive(sla_docx())
    assert not is_archive(b"%PDF-1.7")
    with pytest.raises(ServiceError) as corrupt:
        expand_zip(b"PK\x03\x04 not really a zip", "bad.zip", LIMITS)
    assert corrupt.value.status == 415


def test_zip_limits():
    entries = expand_zip(zip_of({"a/one.txt": b"1", "two.txt": b"2", "__MACOSX/._one.txt": b"x", ".DS_Store": b""}),
                         "pack.zip", LIMITS)
    assert entries == [("pack.zip/a/one.txt", b"1"), ("pack.zip/two.txt", b"2")]
    cases = {
        "too many": (zip_of({f"{i}.txt": b"x" for i in range(4)}), 413, "4 files"),
        "too big": (zip_of({"big.txt": b"x" * (5 * MB)}, zipfile.ZIP_STORED), 413, "expands to"),
        "bomb": (zip_bomb(3 * MB), 413, "zip bomb"),
        "empty": (zip_of({}), 422, "no documents"),
    }
    for name, (data, status, words) in cases.items():
        with pytest.raises(ServiceError) as refused:
            expand_zip(data, "x.zip", LIMITS)
        assert (refused.value.status, words in refused.value.message) == (status, True), name


def test_encrypted_entries_are_refused():
    data = bytearray(zip_of({"secret.txt": b"not really encrypted"}, zipfile.ZIP_STORED))
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 6] |= 0x1  # the "encrypted" bit of the general-purpose flags, in both headers
    data[central + 8] |= 0x1
    with pytest.raises(ServiceError) as refused:
        expand_zip(bytes(data), "x.zip", LIMITS)
    assert refused.value.status == 415 and "encrypted" in refused.value.message


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAUSES_MAX_UPLOAD_BYTES", "2MB")
    monkeypatch.setenv("CLAUSES_ZIP_MAX_TOTAL_BYTES", "512k")
    monkeypatch.setenv("CLAUSES_API_KEY", "  ")
    monkeypatch.setenv("CLAUSES_STORE", str(tmp_path / "x.db"))
    settings = Settings()
    assert settings.max_upload_bytes == 2 * MB and settings.zip_max_total_bytes == 512 * 1024
    assert settings.api_key is None and settings.store == tmp_path / "x.db"
    assert Settings().retention_hours == 24 and Settings().max_batch_files == 200


def test_settings_come_through_a_dependency_tests_can_override():
    app = create_app(Settings(api_key=None))
    app.dependency_overrides[get_settings] = lambda: Settings(api_key="override-key")

    async def calls() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # no lifespan: nothing is loaded
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            return (await client.get("/api/v1/playbooks"),
                    await client.get("/api/v1/playbooks", headers={"X-API-Key": "override-key"}))

    refused, not_started = anyio.run(calls)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert not_started.status_code == 503 and not_started.json()["error"] == "starting"


def test_a_format_not_shipped_yet_is_a_clear_422(monkeypatch):
    import analyzer.report as renderers
    from service.rendering import ensure_available, render_report

    monkeypatch.setattr(renderers, "FORMATS", ("json", "md"))
    with pytest.raises(ServiceError) as missing:
        ensure_available("docx")
    assert missing.value.status == 422 and missing.value.code == "format_unavailable"

    def old_render(report, fmt):
        raise ValueError(f"unknown report format {fmt!r}")

    monkeypatch.setattr(renderers, "render", old_render)
    with pytest.raises(ServiceError) as unknown:
        render_report(small_report(), "html")
    assert unknown.value.status == 422


def test_the_store_keeps_batches_until_deleted_or_expired(tmp_path):
    store = BatchStore(tmp_path / "deep" / "store.sqlite3")
    store.create("a" * 32, [("one.pdf", 10), ("two.pdf", 20)], "dpa", retention_s=3600)
    store.create("b" * 32, [("old.pdf", 5)], None, retention_s=0.05)
    store.finish("a" * 32, 0, 0.5, '{"x": 1}', {"completeness": 50})
    store.fail("a" * 32, 1, 0.1, 422, "corrupt")
    batch = store.get("a" * 32, with_reports=True)
    assert [i["status"] for i in batch["items"]] == ["done", "failed"] and batch["items"][0]["report"] == {"x": 1}
    assert store.report("a" * 32, 0) == ("done", '{"x": 1}')
    time.sleep(0.1)
    assert store.get("b" * 32) is None and store.report("b" * 32, 0) is None  # expired: gone at once
    assert store.purge_expired() == 1
    store.create("c" * 32, [("queued.pdf", 1)], None, retention_s=3600)
    assert store.fail_unfinished("restarted") == 1 and store.get("c" * 32)["items"][0]["error_status"] == 503
    assert store.delete("a" * 32) and not store.delete("a" * 32) and store.report("a" * 32, 0) is None
    store.close()


SAMPLE = "1.1 Pay <b>within</b> 30 days.\n\n1.2 Fees & <script>alert(1)</script> blank ___."


def small_report(text: str = SAMPLE) -> Report:
    second = text.index("1.2")
    clauses = [Clause(id="c1", number="1.1", text=text[:second].rstrip(), start=0, end=len(text[:second].rstrip())),
               Clause(id="c2", number="1.2", text=text[second:], start=second, end=len(text))]
    blank = text.index("___")
    findings = [Finding(rule="placeholder", severity="high", message="blank", clause_id="c2", start=blank,
                        end=blank + 3, text="___"),
                Finding(rule="escalation", severity="medium", message="no escalation")]
    return Report(analyzer_version="0", document=DocumentInfo(file_name="a.txt", sha256="0", format="txt", pages=0,
                                                              characters=len(text)),
                  clauses=clauses, findings=findings, completeness=50.0, text=text)


def test_the_document_view_escapes_text_and_keeps_it_whole():
    report = small_report()
    html = str(document_html(report))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") \
        .replace("&#39;", "'").replace("&#34;", '"') == report.text
    assert 'id="clause-c2"' in html and "has-finding sev-high" in html and '<mark class="sev-high">___</mark>' in html
    view = build_view(report, {"json": b"{}"}, available={"json"})
    assert [f.rule for f in view.missing] == ["escalation"]
    assert [f.rule for f in view.findings["high"]] == ["placeholder"]
    assert {d.fmt: d.data_b64 is not None for d in view.downloads} == {"html": False, "docx": False, "json": True}
