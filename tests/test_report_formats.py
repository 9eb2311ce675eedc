"""Report renderers: JSON schema, Markdown, HTML in a real browser, DOCX comments reopened."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import docx
import pytest

from analyzer.pipeline import Analyzer
from analyzer.report import render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "samples" / "harbor-contact-centre-sla.md"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def report(analyzer):
    return analyzer.analyze(SAMPLE)


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Support Services Agreement", level=1)
    document.add_paragraph("1. The Supplier shall respond to support emails promptly.")
    document.add_paragraph("2. This Agreement continues for an initial term of _____ months.")
    document.add_paragraph("3. Either party may terminate this Agreement upon written notice.")
    document.add_paragraph("4. The Customer shall pay each invoice within thirty (30) days.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_report_json_validates_against_its_schema(report):
    from analyzer.model import Report

    data = json.loads(render(report, "json"))
    assert Report.model_validate(data) == report
    schema = Report.model_json_schema()
    assert set(schema["required"]) >= {"analyzer_version", "document"}
    for clause in data["clauses"]:
        assert data["text"][clause["start"]:clause["end"]] == clause["text"]


def test_report_markdown_lists_findings_and_targets(report):
    md = render(report, "md")
    assert "## Findings" in md and "## Targets" in md
    assert "placeholder.unfilled" in md and "metric.inverted_bound" in md


def test_report_docx_input_comes_back_with_comments(analyzer):
    original = _docx_bytes()
    report = analyzer.analyze(original, file_name="draft.docx", playbook="service-agreement")
    flagged = {f.clause_id for f in report.findings if f.clause_id}
    annotated = render(report, "docx", original=original)
    reopened = docx.Document(io.BytesIO(annotated))
    comments = list(reopened.comments)
    # one comment per flagged paragraph, plus one summary of missing sections on the first paragraph
    assert len(comments) == len(flagged) + 1
    texts = " ".join(c.text for c in comments)
    assert "placeholder.unfilled" in texts and "termination.no_notice" in texts and "Suggestion:" in texts
    assert [p.text for p in reopened.paragraphs] == [p.text for p in docx.Document(io.BytesIO(original)).paragraphs]


def test_report_docx_for_other_inputs_is_a_report(report):
    rendered = render(report, "docx")
    reopened = docx.Document(io.BytesIO(rendered))
    text = "\n".join(p.text for p in reopened.paragraphs)
    assert "Completeness" in text and "Missing sections" in text
    assert len(reopened.tables) == 1 and len(reopened.tables[0].rows) == len(report.targets) + 1


def test_report_html_is_self_contained(report):
    html = render(report, "html")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for finding in report.findings:
        if finding.clause_id:
            assert f"href='#{finding.clause_id}'" in html


@pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"), reason="Debian chromium not installed")
def test_report_html_renders_and_finding_link_scrolls_to_clause(report, tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(render(report, "html"), encoding="utf-8")
    target = next(f for f in report.findings if f.rule == "metric.inverted_bound")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.goto(page_file.as_uri())
            assert page.locator(".score").inner_text().startswith(f"{report.completeness:.0f}")
            assert page.locator("section.clause").count() == len(report.clauses)
            assert page.locator("mark.high").count() >= 2
            clause = page.locator(f"#{target.clause_id}")
            assert not clause.is_visible() or clause.bounding_box()["y"] > 700  # below the fold at first
            page.locator(f"a.finding-link[href='#{target.clause_id}']").first.click()
            page.wait_for_function(f"location.hash === '#{target.clause_id}'")
            box = clause.bounding_box()
            assert box is not None and -2 <= box["y"] < 700  # scrolled into view (to within sub-pixel rounding)
            page.screenshot(path=str(tmp_path / "report.png"))
        finally:
            browser.close()


def test_report_shipped_schema_matches_the_model():
    """`clauses schema` prints the shipped file; it must be regenerated when the Report model changes."""
    from importlib import resources

    from analyzer.model import Report

    shipped = json.loads(resources.files("analyzer.schema").joinpath("report.schema.json").read_text())
    assert shipped == Report.model_json_schema(), "regenerate: python -c 'from analyzer.model import Report; ...'"
