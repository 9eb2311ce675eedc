"""`dashboard.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched).

A documents x sections coverage heat map (worst documents first), the sections most often missing,
distributions of completeness and of the key targets, the worst documents, and the failures.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from html import escape
from typing import Any

from analyzer.audit.outputs import KEY_COLUMNS

MAX_HEATMAP_ROWS = 300
MAX_WORST = 25
MAX_FAILURES = 1000
KEY_TITLES = {
    "notice_period_days": "Notice period (days)",
    "response_time_hours": "Fastest response time (hours)",
    "resolution_time_hours": "Fastest resolution time (hours)",
    "availability_pct": "Availability (%)",
    "credit_cap_pct": "Service-credit cap (%)",
}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
.muted{color:#667085}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}.grid{display:flex;flex-wrap:wrap;gap:18px}
.chart{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px}
.chart h3{font-size:14px;margin:0 0 6px}table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f4f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow:auto;max-height:80vh}
svg text{font-size:11px;fill:#1d2330}.err{color:#b42318;font-family:ui-monospace,monospace;font-size:12px}
"""
GOOD, BAD, NONE, BAR = "#3f9b5a", "#d9534f", "#e4e7ec", "#4e79a7"


def render_dashboard(rows: list[dict[str, Any]], title: str = "Contract audit", elapsed: float | None = None) -> str:
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]
    labels = sorted(k[4:] for k in (rows[0] if rows else {}) if k.startswith("has_"))
    worst = sorted(ok, key=_badness)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<div class="muted">generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC'
        + (f", audit took {elapsed:.0f} s" if elapsed is not None else "") + "</div>",
        _cards(rows, ok, failed),
        "<h2>Coverage: documents x sections</h2>",
        _heatmap(worst, labels),
        "<h2>Missing high-severity sections</h2>",
        _missing_chart(ok),
        "<h2>Distributions</h2>", '<div class="grid">',
        _histogram("Completeness (0-100)", [r["completeness"] for r in ok], fixed=(0, 100, 10)),
        *(_histogram(KEY_TITLES.get(c, c), [r[c] for r in ok]) for c in KEY_COLUMNS),
        "</div>",
        f"<h2>Worst documents (lowest completeness, top {MAX_WORST})</h2>",
        _worst_table(worst[:MAX_WORST]),
        f"<h2>Failures ({len(failed)})</h2>",
        _failures_table(failed),
        "</body></html>",
    ]
    return "\n".join(parts)


def _badness(row: dict[str, Any]) -> tuple:
    completeness = row["completeness"] if _number(row["completeness"]) else 101.0
    return completeness, -(row.get("findings_high") or 0), row["path"]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def _cards(rows: list, ok: list, failed: list) -> str:
    scores = [r["completeness"] for r in ok if _number(r["completeness"])]
    cards = [
        ("documents", len(rows)), ("analyzed", len(ok)), ("failed", len(failed)),
        ("duplicates", sum(1 for r in rows if r.get("duplicate_of"))),
        ("pages", sum(r["pages"] or 0 for r in ok)),
        ("mean completeness", f"{sum(scores) / len(scores):.1f}" if scores else "-"),
        ("missing a high-severity section", sum(1 for r in ok if (r["missing_high_count"] or 0) > 0)),
    ]
    inner = "".join(f'<div class="card"><b>{escape(str(v))}</b><span class="muted">{escape(k)}</span></div>'
                    for k, v in cards)
    return f'<div class="cards">{inner}</div>'


def _heatmap(rows: list[dict[str, Any]], labels: list[str]) -> str:
    if not rows or not labels:
        return '<p class="muted">No analyzed documents.</p>'
    shown = rows[:MAX_HEATMAP_ROWS]
    cell_w, cell_h, left, top = 18, 13, 330, 150
    width, height = left + cell_w * len(labels) + 60, top + cell_h * (len(shown) + 2)
    out = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="coverage heat map">']
    for j, label in enumerate(labels):
        x = left + j * cell_w + cell_w / 2
        out.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-55)">{escape(label)}</text>')
    share_y = top
    out.append(f'<text x="{left - 6}" y="{share_y + 10}" text-anchor="end"><tspan font-weight="bold">'
               f"share of all {len(rows)} documents</tspan></text>")
    for j, label in enumerate(labels):
        present = sum(1 for r in rows if r.get(f"has_{label}"))
        share = present / len(rows)
        out.append(f'<rect x="{left + j * cell_w}" y="{share_y}" width="{cell_w - 1}" height="{cell_h - 1}" '
                   f'fill="{_shade(share)}"><title>{escape(label)}: {present}/{len(rows)} documents '
                   f"({share:.0%})</title></rect>")
    for i, row in enumerate(shown):
        y = top + (i + 2) * cell_h
        name = row["path"] if len(row["path"]) <= 52 else "..." + row["path"][-49:]
        score = f'{row["completeness"]:.0f}' if _number(row["completeness"]) else "-"
        out.append(f'<text x="{left - 6}" y="{y + 10}" text-anchor="end">{escape(name)}<title>'
                   f'{escape(row["path"])}</title></text>')
        out.append(f'<text x="{left + cell_w * len(labels) + 6}" y="{y + 10}">{score}</text>')
        for j, label in enumerate(labels):
            value = row.get(f"has_{label}")
            fill = NONE if value is None else GOOD if value else BAD
            state = "unknown" if value is None else "present" if value else "missing"
            out.append(f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" '
                       f'fill="{fill}"><title>{escape(row["path"])}: {escape(label)} {state}</title></rect>')
    out.append("</svg>")
    note = (f'<p class="muted">Showing the {len(shown)} worst of {len(rows)} analyzed documents '
            f"(see summary.csv for all).</p>" if len(rows) > len(shown) else "")
    legend = (f'<p class="muted"><span style="color:{GOOD}">&#9632;</span> section present '
              f'<span style="color:{BAD}">&#9632;</span> missing; right: completeness.</p>')
    return f'{legend}{note}<div class="scroll">{"".join(out)}</div>'


def _shade(share: float) -> str:
    """Red (0%) to green (100%)."""
    r0, g0, b0, r1, g1, b1 = 0xD9, 0x53, 0x4F, 0x3F, 0x9B, 0x5A
    mix = [round(a + (b - a) * share) for a, b in ((r0, r1), (g0, g1), (b0, b1))]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _bars(title: str, items: list[tuple[str, int]], total: int | None = None) -> str:
    if not items:
        return f'<div class="chart"><h3>{escape(title)}</h3><p class="muted">none</p></div>'
    label_w, bar_w, row_h = 150, 260, 18
    peak = max(n for _, n in items) or 1
    height = row_h * len(items) + 6
    out = [f'<div class="chart"><h3>{escape(title)}</h3><svg width="{label_w + bar_w + 60}" height="{height}">']
    for i, (label, n) in enumerate(items):
        y = i * row_h
        w = bar_w * n / peak
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 5}" fill="{BAR}">'
                   f"<title>{escape(label)}: {n}</title></rect>"
                   f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{n}</text>')
    out.append("</svg>")
    if total is not None:
        out.append(f'<div class="muted">{total} documents with a value</div>')
    out.append("</div>")
    return "".join(out)


def _histogram(title: str, values: list[Any], fixed: tuple[float, float, float] | None = None) -> str:
    numbers = [float(v) for v in values if _number(v)]
    missing = len(values) - len(numbers)
    if not numbers:
        return _bars(title, [])
    distinct = sorted(set(numbers))
    if fixed is None and len(distinct) <= 12:
        counts = Counter(numbers)
        items = [(f"{v:g}", counts[v]) for v in distinct]
    else:
        lo, hi, step = fixed or (min(numbers), max(numbers), (max(numbers) - min(numbers)) / 10 or 1)
        bins = max(1, math.ceil((hi - lo) / step))
        counts = Counter(min(int((v - lo) / step), bins - 1) for v in numbers)
        items = [(f"{lo + b * step:g}-{lo + (b + 1) * step:g}", counts.get(b, 0)) for b in range(bins)]
    if missing:
        items.append(("not stated", missing))
    return _bars(title, items, total=len(numbers))


def _missing_chart(ok: list[dict[str, Any]]) -> str:
    counts = Counter(s for r in ok for s in (r["missing_high_sections"] or "").split(";") if s)
    return _bars("Documents missing each high-severity section", counts.most_common(20))


def _worst_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="muted">No analyzed documents.</p>'
    head = ("<tr><th>document</th><th>type</th><th>playbook</th><th>completeness</th><th>high findings</th>"
            "<th>missing high-severity sections</th></tr>")
    body = "".join(
        f'<tr><td>{escape(r["path"])}</td><td>{escape(str(r["doc_type"] or ""))}</td>'
        f'<td>{escape(str(r["playbook"] or ""))}</td>'
        f'<td class="num">{r["completeness"] if _number(r["completeness"]) else "-"}</td>'
        f'<td class="num">{r["findings_high"] or 0}</td>'
        f'<td>{escape((r["missing_high_sections"] or "").replace(";", ", "))}</td></tr>'
        for r in rows
    )
    return f"<table>{head}{body}</table>"


def _failures_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="muted">No failures.</p>'
    shown = rows[:MAX_FAILURES]
    body = "".join(f'<tr><td>{escape(r["path"])}</td><td class="err">{escape(str(r["error"] or ""))}</td></tr>'
                   for r in shown)
    more = f'<p class="muted">{len(rows) - len(shown)} more in summary.csv.</p>' if len(rows) > len(shown) else ""
    return f'<div class="scroll"><table><tr><th>document</th><th>error</th></tr>{body}</table></div>{more}'
