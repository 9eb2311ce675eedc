"""Renderers: one module per output format, all reading the same `Report`."""

from __future__ import annotations

from analyzer.model import Report

FORMATS = ("json", "md")


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "md":
        from analyzer.report.markdown import render_markdown

        return render_markdown(report)
    raise ValueError(f"unknown report format {fmt!r}")
