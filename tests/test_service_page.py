"""The upload page in Debian's chromium (driven by Playwright): drop a DOCX, read the verdict, jump to clauses."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_service_support import API_KEY, SECRET_NAME, Service, running_service, sla_docx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory, browser) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("service-page"), max_upload_bytes="2MB") as running:
        yield running


@pytest.fixture
def page(browser, service):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.requests = []  # every URL the page asked for
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(service.url + "/")
    yield page
    context.close()


def drop_file(page, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drag and drop a file onto an element, as a person does from their file manager."""
    transfer = page.evaluate_handle(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            return transfer;
        }""", [name, base64.b64encode(data).decode(), mime])
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def expected_report(service: Service, data: bytes) -> dict:
    response = httpx.post(f"{service.url}/api/v1/analyses", headers={"X-API-Key": API_KEY}, timeout=60,
                          files={"file": (SECRET_NAME, data, "application/octet-stream")})
    assert response.status_code == 200, response.text
    return response.json()


def test_drop_a_docx_and_read_the_verdict(page, service, tmp_path):
    data = sla_docx()
    report = expected_report(service, data)
    # Every form control has a label; the key field shows because this service has an API key.
    unlabeled = page.evaluate("""[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                                 .filter(el => !el.labels || el.labels.length === 0).map(el => el.id)""")
    assert unlabeled == []
    page.get_by_label("API key").fill(API_KEY)
    drop_file(page, "#dropzone", SECRET_NAME, data, "application/vnd.openxmlformats-officedocument."
                                                     "wordprocessingml.document")
    assert SECRET_NAME in page.inner_text("#file-chosen")
    assert page.eval_on_selector("#file", "el => el.files[0].name") == SECRET_NAME
    page.get_by_label("Playbook").select_option("auto")
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_selector("#result", timeout=30_000)

    # Completeness, missing sections, findings by severity, targets.
    assert page.inner_text("#completeness").strip() == f"{report['completeness']:g}%"
    missing = [f["message"] for f in report["findings"] if not f["clause_id"]]
    assert missing and missing[0] in page.inner_text("ul.missing")
    bound = [f for f in report["findings"] if f["clause_id"]]
    assert bound
    findings_text = page.inner_text("#findings")
    for finding in bound:
        assert finding["message"] in findings_text
    assert page.locator("#targets tbody tr").count() == len(report["targets"])

    # The clause of the first finding is highlighted in the document, with the quoted words marked.
    first = bound[0]
    clause = page.locator(f"#clause-{first['clause_id']}")
    assert "has-finding" in clause.get_attribute("class")
    assert f"sev-{first['severity']}" in clause.get_attribute("class")
    clause_text = next(c["text"] for c in report["clauses"] if c["id"] == first["clause_id"])
    assert clause.inner_text().strip() == clause_text.strip()
    if first["text"]:
        assert first["text"] in clause.locator("mark").all_inner_texts()

    # Clicking a finding scrolls its clause into view and focuses it.
    page.locator("#document").evaluate("el => el.scrollTop = el.scrollHeight")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(f"#findings a.jump[data-target='clause-{first['clause_id']}']").first.click()
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'clause-{first['clause_id']}'")
    assert in_view(page, f"#clause-{first['clause_id']}")

    # The keyboard does the same: Tab to a link, Enter.
    last = bound[-1]
    page.locator(f"#findings a.jump[data-target='clause-{last['clause_id']}']").last.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.activeElement.id === 'clause-{last['clause_id']}'")
    assert in_view(page, f"#clause-{last['clause_id']}")

    # Downloads are built in the page from what the server sent: nothing is fetched again.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="JSON report").click()
    download = download_info.value
    assert download.suggested_filename == f"{SECRET_NAME}.report.json"
    saved = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert saved["completeness"] == report["completeness"] and saved["document"]["file_name"] == SECRET_NAME
    for label, magic in (("HTML report", b"<!doctype html"), ("Word (DOCX) report", b"PK")):
        button = page.get_by_role("button", name=label)
        if button.is_disabled():
            continue  # a renderer this analyzer does not ship yet
        with page.expect_download() as download_info:
            button.click()
        assert Path(download_info.value.path()).read_bytes()[:20].lower().startswith(magic.lower())

    # No request left this server: no CDN, font or analytics.
    foreign = [url for url in page.requests if not url.startswith((service.url, "data:", "blob:"))]
    assert foreign == []


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """el => {
        const box = el.getBoundingClientRect();
        const pane = document.getElementById('document').getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight && box.top >= pane.top - 1 && box.top < pane.bottom;
    }""")


def test_the_page_explains_errors(page):
    page.get_by_label("API key").fill("not-the-key")
    page.set_input_files("#file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"1.1 Terms."}])
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_selector("[role=alert]")
    assert re.search(r"401", page.inner_text("[role=alert]"))
    page.get_by_label("API key").fill(API_KEY)
    page.set_input_files("#file", files=[{"name": "empty.pdf", "mimeType": "application/pdf", "buffer": b""}])
    page.get_by_role("button", name="Analyze").click()
    page.wait_for_selector("[role=alert]")
    assert "400" in page.inner_text("[role=alert]") and "empty" in page.inner_text("[role=alert]")
    assert page.evaluate("document.activeElement.id") == "error-title"
