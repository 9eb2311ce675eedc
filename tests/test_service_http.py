"""The service over real HTTP: `clauses serve` on a free loopback port, an API key and small limits."""

from __future__ import annotations

import io
import json
import socket
import stat
import threading
import time
import zipfile
from collections.abc import Iterator

import httpx
import pytest
from test_service_support import (
    MARKER,
    SECRET_NAME,
    Service,
    noise_png,
    running_service,
    sla_docx,
    sla_pdf,
    zip_bomb,
    zip_of,
)

from analyzer.report import FORMATS

LIMIT = 1024 * 1024  # CLAUSES_MAX_UPLOAD_BYTES for this server
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("service-http")
    with running_service(folder, max_upload_bytes="1MB", max_batch_bytes="3MB", max_batch_files="10",
                         zip_max_entries="5", zip_max_total_bytes="8MB", zip_max_ratio="50", max_pages="12",
                         workers="2", max_queue="8") as running:
        yield running


@pytest.fixture(scope="module")
def client(service) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


def assert_error(response: httpx.Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["error"] and body["message"], body
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    for word in words:
        assert word.lower() in body["message"].lower(), body
    return body


def docx_part(data: bytes | None = None, name: str = SECRET_NAME) -> dict:
    return {"file": (name, data if data is not None else sla_docx(), DOCX_TYPE)}


# --------------------------------------------------------------------------- happy paths


def test_health_openapi_and_docs_need_no_key(service):
    with service.client(key=False) as anonymous:
        health = anonymous.get("/healthz").json()
        assert health["status"] == "ok" and health["model"] == "loaded" and health["playbooks"] >= 4
        schema = anonymous.get("/openapi.json").json()
        assert {"/api/v1/analyses", "/api/v1/playbooks", "/api/v1/batches", "/api/v1/batches/{batch_id}",
                "/healthz"} <= set(schema["paths"])
        docs = anonymous.get("/docs")
        assert docs.status_code == 200 and "POST /api/v1/analyses" in docs.text
        assert "cdn" not in docs.text.lower() and 'src="http' not in docs.text and 'href="http' not in docs.text


def test_analyze_docx_returns_the_json_report(client):
    response = client.post("/api/v1/analyses", files=docx_part())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    report = response.json()
    assert report["document"]["format"] == "docx" and report["document"]["file_name"] == SECRET_NAME
    for clause in report["clauses"]:
        assert report["text"][clause["start"]:clause["end"]] == clause["text"]
    bound = [f for f in report["findings"] if f["clause_id"]]
    assert bound and any("blank" in f["message"] for f in bound)
    assert report["targets"] and 0 <= report["completeness"] <= 100


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_analyze_renderings(client, fmt):
    response = client.post("/api/v1/analyses", params={"format": fmt}, files=docx_part())
    if fmt not in FORMATS:  # a renderer not shipped yet is a clear 422, not a crash
        assert_error(response, 422, "not available")
        return
    assert response.status_code == 200, response.text
    assert f'filename="{SECRET_NAME}.report.{fmt}"' in response.headers["content-disposition"]
    if fmt == "md":
        assert response.headers["content-type"].startswith("text/markdown") and SECRET_NAME in response.text
    elif fmt == "html":
        assert response.headers["content-type"].startswith("text/html")
        assert "<html" in response.text.lower() and 'src="http' not in response.text
        assert "script-src" not in response.headers["content-security-policy"]
    else:
        assert response.headers["content-type"] == DOCX_TYPE
        names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
        assert "word/document.xml" in names


def test_playbooks_and_choosing_one(client):
    playbooks = client.get("/api/v1/playbooks").json()
    ids = {p["id"] for p in playbooks}
    assert {"customer-service-sla", "dpa", "saas-sla", "service-agreement"} <= ids
    assert all(p["rules"] > 0 and p["name"] for p in playbooks)
    chosen = client.post("/api/v1/analyses", files=docx_part(), data={"playbook": "dpa"})
    assert chosen.status_code == 200 and chosen.json()["playbook"] == "dpa"
    assert_error(client.post("/api/v1/analyses", files=docx_part(), data={"playbook": "../../etc/passwd"}),
                 422, "unknown playbook")


def test_pdf_and_text_uploads(client):
    pdf = client.post("/api/v1/analyses", files={"file": ("sla.pdf", sla_pdf(2), "application/pdf")})
    assert pdf.status_code == 200 and pdf.json()["document"]["pages"] == 2
    text = client.post("/api/v1/analyses", files={"file": ("terms", b"1. Fees\n\n1.1 The Customer shall pay "
                                                           b"each invoice within 30 days.\n", None)})
    assert text.status_code == 200 and text.json()["document"]["format"] == "txt"


# --------------------------------------------------------------------------- bad input


BAD_UPLOADS = {
    "empty file": ({"file": ("empty.pdf", b"", "application/pdf")}, 400, "empty"),
    "picture named pdf": ({"file": ("contract.pdf", noise_png(16), "application/pdf")}, 415, "image"),
    "text sent as pdf": ({"file": ("contract", b"1.1 The Supplier shall do things.", "application/pdf")},
                         415, "mislabeled"),
    "docx named pdf": ({"file": ("contract.pdf", sla_docx(), "application/pdf")}, 415, "mislabeled"),
    "corrupt pdf": ({"file": ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF",
                              "application/pdf")}, 422, "corrupt"),
    "zip archive": ({"file": ("docs.zip", zip_of({"a.txt": b"1.1 text"}), "application/zip")}, 415, "batches"),
    "legacy doc": ({"file": ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/msword")},
                   415, "doc"),
    "no file field": ({"document": ("a.txt", b"1.1 text", "text/plain")}, 422, "`file`"),
    "two files": ([("file", ("a.txt", b"1.1 text", "text/plain")), ("file", ("b.txt", b"1.2 t", "text/plain"))],
                  422, "batches"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_bad_uploads_get_their_status_and_the_server_keeps_serving(service, client, case):
    files, status, word = BAD_UPLOADS[case]
    assert_error(client.post("/api/v1/analyses", files=files), status, word)
    service.assert_healthy()


def test_oversized_upload_is_413(service, client):
    big = sla_docx(extra_picture=noise_png(700))  # about 1.4 MB, over the 1 MB limit
    assert len(big) > LIMIT
    assert_error(client.post("/api/v1/analyses", files=docx_part(big)), 413, "limit")
    service.assert_healthy()


def test_too_many_pages_is_413(service, client):
    pdf = client.post("/api/v1/analyses", files={"file": ("long.pdf", sla_pdf(14), "application/pdf")})
    assert_error(pdf, 413, "14 pages", "limit 12")
    service.assert_healthy()


def _raw_request(service: Service, head: str, body_chunks: Iterator[bytes]) -> tuple[str, int]:
    """Send a request by hand; returns the status line and how many body bytes were sent before it came."""
    sent = 0
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        sock.setblocking(False)
        for chunk in body_chunks:
            try:
                answer = sock.recv(4096)
                if answer:
                    return answer.split(b"\r\n")[0].decode(), sent
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.sendall(chunk)
                sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            finally:
                sock.setblocking(False)
            time.sleep(0.002)
        sock.setblocking(True)
        return sock.recv(4096).split(b"\r\n")[0].decode(), sent


def test_an_oversized_stream_is_refused_before_its_end(service):
    """Chunked upload of 20 MB with no Content-Length: the 413 comes once the 1 MB limit is passed."""
    boundary = "b0undary"
    head = (f"POST /api/v1/analyses HTTP/1.1\r\nHost: x\r\nX-API-Key: {service.api_key}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n")
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode()

    def chunks() -> Iterator[bytes]:
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
        block = b"x" * 65536
        for _ in range(20 * 16):
            yield f"{len(block):x}\r\n".encode() + block + b"\r\n"

    status, sent = _raw_request(service, head, chunks())
    assert " 413 " in status + " ", status
    assert sent < 4 * LIMIT, f"the server read {sent} bytes before refusing"
    declared = (f"POST /api/v1/analyses HTTP/1.1\r\nHost: x\r\nX-API-Key: {service.api_key}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {50 * LIMIT}\r\n\r\n")
    status, sent = _raw_request(service, declared, iter([part]))
    assert " 413 " in status + " " and sent <= len(part)
    service.assert_healthy()


def test_request_errors(service, client):
    assert_error(client.post("/api/v1/analyses", content=b'{"file": "x"}',
                             headers={"Content-Type": "application/json"}), 415, "multipart")
    assert_error(client.post("/api/v1/analyses", params={"format": "pdf"}, files=docx_part()), 422, "format")
    assert_error(client.post("/api/v1/analyses", content=b"--x\r\nbroken",
                             headers={"Content-Type": "multipart/form-data; boundary=x"}), 400, "multipart")
    assert_error(client.get("/api/v1/nothing-here"), 404)
    service.assert_healthy()


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}], ids=["missing", "wrong"])
def test_api_key_is_required(service, headers):
    with httpx.Client(base_url=service.url, headers=headers, timeout=30) as anonymous:
        body = assert_error(anonymous.post("/api/v1/analyses", files=docx_part()), 401, "X-API-Key")
        assert body["error"] == "unauthorized"
        assert_error(anonymous.get("/api/v1/playbooks"), 401)
        assert_error(anonymous.get("/api/v1/batches/" + "0" * 32), 401)
    service.assert_healthy()


def test_zip_bombs_are_refused(service, client):
    bomb = zip_bomb(40 * 1024 * 1024)
    assert len(bomb) < 200_000
    assert_error(client.post("/api/v1/batches", files={"files": ("bomb.zip", bomb, "application/zip")}),
                 413, "bomb.zip")
    crowd = zip_of({f"doc{i}.txt": b"1.1 The Supplier shall act." for i in range(8)})
    assert_error(client.post("/api/v1/batches", files={"files": ("crowd.zip", crowd, "application/zip")}),
                 413, "limit 5")
    # A DOCX whose document part inflates past the zip limit: the analyzer's own limits refuse it.
    docx_bomb = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (12 * 1024 * 1024)})
    assert_error(client.post("/api/v1/analyses", files=docx_part(docx_bomb, "bomb.docx")), 413)
    service.assert_healthy()


def test_the_time_limit_stops_a_long_analysis(tmp_path):
    with running_service(tmp_path, api_key=None, time_limit="0.02") as slow, slow.client() as http:
        pdf = sla_pdf(10)
        for _ in range(3):
            body = assert_error(http.post("/api/v1/analyses", files={"file": ("ten.pdf", pdf, "application/pdf")}),
                                422, "limit")
            assert body["error"] == "time_limit"
        deadline = time.monotonic() + 5
        while http.get("/healthz").json()["running"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert http.get("/healthz").json()["running"] == 0  # the worker threads were freed, not left running


# --------------------------------------------------------------------------- batches


def _wait_done(client: httpx.Client, batch_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.get(f"/api/v1/batches/{batch_id}").json()
        if batch["status"] == "done":
            return batch
        time.sleep(0.2)
    pytest.fail(f"batch {batch_id} not done in {timeout} s: {batch}")


def test_batch_lifecycle(service, client):
    archive = zip_of({"inner/sla.pdf": sla_pdf(1), "inner/notes.txt": b"1. Fees\n\n1.1 Pay within 30 days.\n",
                      "__MACOSX/._sla.pdf": b"junk", "inner/broken.pdf": b"%PDF-1.4 nothing"})
    files = [("files", (SECRET_NAME, sla_docx(), DOCX_TYPE)), ("files", ("pack.zip", archive, "application/zip"))]
    created = client.post("/api/v1/batches", files=files, data={"playbook": "saas-sla"})
    assert created.status_code == 202, created.text
    body = created.json()
    assert body["documents"] == 4 and created.headers["location"] == body["status_url"]
    batch = _wait_done(client, body["id"])
    assert batch["total"] == 4 and batch["done"] == 3 and batch["failed"] == 1 and batch["playbook"] == "saas-sla"
    by_name = {item["file_name"]: item for item in batch["items"]}
    assert set(by_name) == {SECRET_NAME, "pack.zip/inner/sla.pdf", "pack.zip/inner/notes.txt",
                            "pack.zip/inner/broken.pdf"}
    broken = by_name["pack.zip/inner/broken.pdf"]
    assert broken["status"] == "failed" and broken["error"]["status"] == 422 and broken["report_url"] is None
    done = by_name[SECRET_NAME]
    assert done["summary"]["playbook"] == "saas-sla" and done["summary"]["findings"]["high"] >= 1
    report = client.get(done["report_url"]).json()
    assert report["document"]["file_name"] == SECRET_NAME and report["playbook"] == "saas-sla"
    assert_error(client.get(broken["report_url"] or f"/api/v1/batches/{body['id']}/items/{broken['index']}"), 409)
    full = client.get(f"/api/v1/batches/{body['id']}", params={"reports": "true"}).json()
    assert full["items"][done["index"]]["report"]["document"]["sha256"] == report["document"]["sha256"]
    # The store is private to the service's user, and DELETE removes everything.
    assert stat.S_IMODE(service.store.stat().st_mode) == 0o600
    assert client.delete(f"/api/v1/batches/{body['id']}").status_code == 204
    assert_error(client.get(f"/api/v1/batches/{body['id']}"), 404)
    assert_error(client.get(done["report_url"]), 404)
    assert_error(client.delete(f"/api/v1/batches/{body['id']}"), 404)
    assert_error(client.get("/api/v1/batches/not-an-id"), 422)


def test_batch_requests_are_checked(client):
    assert_error(client.post("/api/v1/batches", files={"other": ("a.txt", b"1.1 text", "text/plain")}), 422, "files")
    too_many = [("files", (f"d{i}.txt", b"1.1 The Supplier shall act.", "text/plain")) for i in range(12)]
    assert_error(client.post("/api/v1/batches", files=too_many), 413, "10")


def test_the_event_loop_stays_responsive_while_analysing(service, client):
    """Six clients sending 10-page PDFs at once: /healthz still answers quickly, every report is the same,
    and the process survives (PDFium crashes when two threads enter it: the service serializes PDF reads)."""
    pdf = sla_pdf(10)
    results: list[int | str] = []
    reports: set[str] = set()

    def upload() -> None:
        with service.client() as own:
            for _ in range(2):
                try:
                    response = own.post("/api/v1/analyses", files={"file": ("ten.pdf", pdf, "application/pdf")})
                    results.append(response.status_code)
                    reports.add(response.text)
                except httpx.HTTPError as exc:
                    results.append(repr(exc))

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    latencies = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        latencies.append(time.perf_counter() - started)
        time.sleep(0.05)
    for thread in threads:
        thread.join(60)
    assert results == [200] * 12, (results, service.log()[-2000:])
    assert len(reports) == 1  # analyses running side by side on the shared analyzer agree exactly
    assert max(latencies) < 0.5, latencies


# --------------------------------------------------------------------------- privacy (runs last in this module)


def test_no_temp_files_and_no_contract_text_in_logs(service):
    leftovers = [p for p in service.tmp_dir.rglob("*")]
    assert leftovers == [], f"the service left files in TMPDIR: {leftovers}"
    log = service.log()
    assert "request=" in log and "status=200" in log and "status=413" in log
    for secret in (MARKER, SECRET_NAME, "first contact resolution", "Northwind"):
        assert secret not in log, f"{secret!r} reached the log"
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    json.loads(httpx.get(f"{service.url}/healthz").text)


def test_an_analysis_process_killed_at_the_time_limit_is_replaced(tmp_path):
    """Analysis runs in child processes: the one over its limit is killed, and the next document is served."""
    clause = "{n}. Service levels\n\n{n}.1 The Supplier shall answer 80% of calls within 20 seconds in each month.\n\n"
    long_text = "".join(clause.format(n=n) for n in range(1, 6001)).encode()
    with running_service(tmp_path, api_key=None, time_limit="1") as slow, slow.client() as http:
        body = assert_error(http.post("/api/v1/analyses", files={"file": ("long.txt", long_text, "text/plain")}),
                            422, "limit")
        assert body["error"] == "time_limit"
        for _ in range(2):  # both worker slots get a live process again
            small = http.post("/api/v1/analyses", files={"file": ("short.txt", clause.format(n=1).encode(),
                                                                  "text/plain")})
            assert small.status_code == 200, small.text
            assert small.json()["targets"][0]["metric"] == "service_level"
