"""Helpers shared by the service tests (this module holds no tests).

`running_service` starts the real server as a user does (`clauses serve --port N`, a free port on
127.0.0.1) with settings from the environment; documents are generated here, never checked in.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

API_KEY = "test-key-7f3a"
MARKER = "Zanzibar Lighthouse Logistics"  # contract text that must never reach a log
SECRET_NAME = "confidential-vendor-draft.docx"


@dataclass
class Service:
    url: str
    log_path: Path
    tmp_dir: Path
    store: Path
    api_key: str | None

    def client(self, key: bool = True, timeout: float = 60.0) -> httpx.Client:
        headers = {"X-API-Key": self.api_key} if key and self.api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def assert_healthy(self) -> None:
        response = httpx.get(f"{self.url}/healthz", timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["status"] in {"ok", "degraded"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clauses_command() -> list[str]:
    script = Path(sys.executable).with_name("clauses")
    if script.exists():
        return [str(script)]
    found = shutil.which("clauses")
    if found is None:
        pytest.skip("the `clauses` console script is not installed (pip install -e .)")
    return [found]


@contextmanager
def running_service(folder: Path, api_key: str | None = API_KEY, **settings: str) -> Iterator[Service]:
    """`clauses serve` in a subprocess; CLAUSES_<NAME> for every keyword setting."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp_dir = folder / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    store = folder / "store" / "batches.sqlite3"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSES_")}
    env.update({"TMPDIR": str(tmp_dir), "CLAUSES_STORE": str(store), "PYTHONWARNINGS": "ignore",
                **{f"CLAUSES_{name.upper()}": value for name, value in settings.items()}})
    if api_key:
        env["CLAUSES_API_KEY"] = api_key
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*clauses_command(), "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start in 90 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Service(url, log_path, tmp_dir, store, api_key)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --------------------------------------------------------------------------- documents

SLA_PARAGRAPHS = [
    ("heading", "Managed Services Agreement"),
    ("text", f"This agreement is made between {MARKER} Ltd (the Supplier) and Northwind Outfitters Ltd."),
    ("heading", "1. Services"),
    ("text", "1.1 The Supplier shall provide the Services described in the Order Form with reasonable skill and care."),
    ("text", "1.2 The Supplier shall resolve customer issues promptly and achieve first contact resolution."),
    ("heading", "2. Service Levels"),
    ("text", "2.1 The Supplier shall answer 80% of calls within 20 seconds, measured monthly."),
    ("text", "2.2 The Service shall be available at least 99.9% of the time in each calendar month."),
    ("heading", "3. Term and Termination"),
    ("text", "3.1 This Agreement continues for an initial term of _____ months."),
    ("text", "3.2 Either party may terminate this Agreement upon written notice."),
]


def sla_docx(extra_picture: bytes | None = None) -> bytes:
    """A short SLA with unfilled blanks and vague wording: it has findings tied to clauses."""
    import docx

    document = docx.Document()
    for kind, text in SLA_PARAGRAPHS:
        if kind == "heading":
            document.add_heading(text, level=1 if text.startswith("Managed") else 2)
        else:
            document.add_paragraph(text)
    if extra_picture is not None:
        document.add_picture(io.BytesIO(extra_picture))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def noise_png(side: int) -> bytes:
    """An incompressible picture: it makes a DOCX as large as needed."""
    from PIL import Image

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def sla_pdf(pages: int = 2) -> bytes:
    """A numbered agreement over `pages` pages, drawn with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    story = [Paragraph("MANAGED SERVICES AGREEMENT", styles["Title"])]
    filler = ("The parties shall cooperate in good faith and keep records of their performance under this clause "
              "for the duration of the Term and for six years afterwards, making them available on request. ")
    sections = [
        ("SERVICES", "The Supplier shall provide the Services described in Schedule 1 with reasonable skill and care."),
        ("SERVICE LEVELS", "The Supplier shall answer 80% of calls within 20 seconds, measured monthly."),
        ("AVAILABILITY", "The Service shall be available at least 99.9% of the time in each calendar month."),
        ("INCIDENTS", "The Supplier shall respond to Priority 1 Incidents within 15 minutes and resolve them "
                      "within 4 hours."),
        ("SERVICE CREDITS", "If the Supplier misses a Service Level the Customer is entitled to a service credit "
                            "of 5% of the monthly fees, capped at 20% of the monthly fees."),
        ("FEES", "The Customer shall pay each undisputed invoice within thirty (30) days of receipt."),
        ("DATA PROTECTION", "The Supplier shall notify the Customer of a Personal Data Breach within 24 hours."),
        ("TERMINATION", "Either party may terminate for material breach not cured within 30 days of notice."),
    ]
    number = 0
    for page in range(pages):
        for title, text in (sections[(2 * page) % len(sections)], sections[(2 * page + 1) % len(sections)]):
            number += 1
            story.append(Paragraph(f"{number}. {title}", styles["Heading2"]))
            for k in range(1, 4):
                story.append(Paragraph(f"{number}.{k} {text} {filler}", styles["BodyText"]))
        story.append(PageBreak())
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build(story)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(size: int) -> bytes:
    """One entry of `size` zero bytes: it compresses about a thousand times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("huge.txt", "w", force_zip64=True) as entry:
        block = b"\0" * (1024 * 1024)
        for _ in range(size // len(block)):
            entry.write(block)
    return buffer.getvalue()
