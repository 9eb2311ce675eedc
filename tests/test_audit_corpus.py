"""A generated archive for the audit tests and bench: PDF (reportlab), DOCX (python-docx), TXT and Markdown
contracts with varied sections and numbers, some zipped, some duplicated, some corrupt, a zip bomb.

`make_archive(root)` returns an `Archive` that says what every output should hold.
"""

from __future__ import annotations

import io
import random
import shutil
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

TITLES = ["SAAS SERVICE LEVEL AGREEMENT", "CONTACT CENTRE SERVICES AGREEMENT", "MASTER SERVICES AGREEMENT",
          "MANAGED SERVICES AGREEMENT"]


def _sections(rng: random.Random) -> list[tuple[str, list[str]]]:
    notice = rng.choice([30, 60, 90, 180])
    response = rng.choice([15, 30, 60, 120])
    resolve = rng.choice([4, 8, 24])
    availability = rng.choice(["99.5", "99.9", "99.95", "98"])
    cap = rng.choice([10, 15, 25, 50])
    pool = [
        ("SERVICES", ["The Supplier shall provide the Services described in the Service Description to the Customer "
                      "from the Commencement Date, including telephone, email and web chat support."]),
        ("SERVICE LEVELS", [f"The Supplier shall respond to Priority 1 incidents within {response} minutes, 24/7.",
                            f"The Supplier shall resolve Priority 1 incidents within {resolve} hours.",
                            f"The Service shall be available at least {availability}% of each calendar month."]),
        ("SERVICE CREDITS", ["If the Service falls below the availability target the Customer is entitled to a "
                             "service credit of 5% of the monthly fees.",
                             f"Service credits shall not exceed {cap}% of the monthly fees in any month."]),
        ("FEES AND PAYMENT", ["The Customer shall pay each undisputed invoice within 30 days of receipt."]),
        ("TERM AND TERMINATION", ["This Agreement continues for an initial term of 24 months.",
                                  "Either party may terminate this Agreement for convenience by giving not less "
                                  f"than {notice} days written notice to the other party."]),
        ("CONFIDENTIALITY", ["Each party shall keep the other party's Confidential Information confidential and "
                             "use it only to perform this Agreement."]),
        ("DATA PROTECTION", ["The Supplier shall process Personal Data only on the documented instructions of the "
                             "Customer and shall notify the Customer of a personal data breach within 48 hours."]),
        ("LIMITATION OF LIABILITY", ["Each party's total liability under this Agreement is limited to the fees paid "
                                     "in the twelve months before the claim."]),
        ("GOVERNING LAW", ["This Agreement is governed by the laws of England and Wales."]),
    ]
    keep = [s for s in pool if rng.random() < 0.7] or pool[:2]
    return keep


def contract_lines(seed: int) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(number, text)]) of a small numbered contract, varied by `seed`."""
    rng = random.Random(seed)
    title = f"{rng.choice(TITLES)} No. {seed}"
    lines = []
    for s, (heading, clauses) in enumerate(_sections(rng), start=1):
        lines.append((f"{s}.", f"{s}. {heading}"))
        lines += [(f"{s}.{k}", f"{s}.{k} {body}") for k, body in enumerate(clauses, start=1)]
    return title, lines


def contract_text(seed: int, markdown: bool = False) -> str:
    title, lines = contract_lines(seed)
    out = [f"# {title}" if markdown else title, ""]
    for number, text in lines:
        heading = number.endswith(".")
        out += [f"## {text}" if markdown and heading else text, ""]
    return "\n".join(out)


def contract_pdf(seed: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    title, lines = contract_lines(seed)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    y = 780
    c.setFont("Helvetica-Bold", 13)
    c.drawString(60, y, title)
    y -= 30
    for number, text in lines:
        bold = number.endswith(".")
        for row in textwrap.wrap(text, 90):
            if y < 70:  # next page
                c.showPage()
                y = 780
            c.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
            c.drawString(60, y, row)
            y -= 14
        y -= 8
    c.showPage()
    c.save()
    return buf.getvalue()


def contract_docx(seed: int) -> bytes:
    import docx

    title, lines = contract_lines(seed)
    document = docx.Document()
    document.add_heading(title, level=1)
    for number, text in lines:
        if number.endswith("."):
            document.add_heading(text, level=2)
        else:
            document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


MAKERS = {
    ".pdf": contract_pdf,
    ".docx": contract_docx,
    ".txt": lambda seed: contract_text(seed).encode("utf-8"),
    ".md": lambda seed: contract_text(seed, markdown=True).encode("utf-8"),
}


@dataclass
class Archive:
    root: Path
    args: list[str]  # what to pass to `clauses audit`
    ok: set[str] = field(default_factory=set)  # document paths expected to be analyzed
    failed: dict[str, str] = field(default_factory=dict)  # path -> a word its error must contain
    duplicates: dict[str, str] = field(default_factory=dict)  # path -> path of the same bytes

    @property
    def documents(self) -> set[str]:
        return self.ok | set(self.failed)


def make_archive(root: Path, n_plain: int = 160, n_zipped: int = 30, duplicates: int = 10,
                 broken: bool = True, seed: int = 7) -> Archive:
    """Documents under `root/archive` (folders and zips) and `root/extra` (matched by a glob)."""
    archive_dir, extra_dir = root / "archive", root / "extra"
    for folder in (archive_dir, extra_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    spec = Archive(root, [str(archive_dir), str(extra_dir / "*.md")])
    suffixes = list(MAKERS)
    seeds = iter(range(seed * 1000, seed * 1000 + 100_000))

    for i in range(n_plain):
        suffix = suffixes[i % len(suffixes)]
        rel = f"contracts/{suffix[1:]}/{'batch-b/' if i % 3 == 0 else ''}doc-{i:04d}{suffix}"
        (archive_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (archive_dir / rel).write_bytes(MAKERS[suffix](next(seeds)))
        spec.ok.add(rel)

    if n_zipped:
        with zipfile.ZipFile(archive_dir / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("2023/", b"")  # a directory entry: skipped
            for i in range(n_zipped):
                suffix = suffixes[i % len(suffixes)]
                member = f"2023/{'q2/' if i % 2 else ''}zipped-{i:03d}{suffix}"
                bundle.writestr(member, MAKERS[suffix](next(seeds)))
                spec.ok.add(f"bundle.zip/{member}")
            bundle.writestr("2023/notes.xlsx", b"not a contract")  # unsupported: skipped quietly
            if broken:
                bundle.writestr("2023/broken.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage")
                spec.failed["bundle.zip/2023/broken.pdf"] = "pdf"

    plain = sorted(p for p in spec.ok if not p.startswith("bundle.zip/"))
    for i in range(duplicates):
        original = plain[(i * 7) % len(plain)]
        copy = f"copies/copy-{i:02d}-{Path(original).name}"
        (archive_dir / copy).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(archive_dir / original, archive_dir / copy)
        spec.ok.add(copy)
        spec.duplicates[copy] = original

    for i in range(5):
        name = f"extra-{i}.md"
        (extra_dir / name).write_bytes(MAKERS[".md"](next(seeds)))
        spec.ok.add(name)
    (extra_dir / "ignored.txt").write_text("not matched by the glob")

    (archive_dir / "notes.json").write_text("{}")  # unsupported: skipped quietly
    (archive_dir / ".DS_Store").write_bytes(b"\x00\x01")
    if broken:
        bad = archive_dir / "bad"
        bad.mkdir()
        pdf = contract_pdf(1)
        (bad / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
        (bad / "random.docx").write_bytes(random.Random(1).randbytes(3000))
        (bad / "empty.txt").write_bytes(b"")
        (bad / "mislabeled.pdf").write_bytes(contract_text(2).encode())
        (bad / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
        with zipfile.ZipFile(bad / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as bomb:
            bomb.writestr("huge.txt", b"\x00" * (8 * 1024 * 1024))
        spec.failed.update({
            "bad/truncated.pdf": "", "bad/random.docx": "", "bad/empty.txt": "empty",
            "bad/mislabeled.pdf": "mislabeled", "bad/broken.zip": "zip", "bad/bomb.zip": "zip bomb",
        })
    return spec


def test_archive_is_generated_as_described(tmp_path):
    spec = make_archive(tmp_path, n_plain=8, n_zipped=4, duplicates=2)
    assert len(spec.documents) == 8 + 4 + 1 + 2 + 5 + 6
    assert all((tmp_path / "archive" / p).exists() for p in spec.duplicates)
    with zipfile.ZipFile(tmp_path / "archive" / "bundle.zip") as bundle:
        assert len([n for n in bundle.namelist() if "zipped-" in n]) == 4
    assert contract_pdf(3).startswith(b"%PDF") and contract_docx(3)[:2] == b"PK"
