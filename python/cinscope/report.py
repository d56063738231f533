"""Summaries and a self-contained HTML report of scored case histories.

The report is one HTML file with its charts drawn as inline SVG: no script, no font or style
sheet from elsewhere, nothing fetched when it opens (child data stays on the machine).
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from cinscope import _core
from cinscope._files import write_text
from cinscope.drift import long_plans, stalled
from cinscope.scoring import compliance, load_rulebook, worklist

__all__ = ["FAMILIES", "html_report", "rule_family", "summary"]

FAMILIES: dict[str, str] = {
    "ASMT": "assessment",
    "PLAN": "plan",
    "MTG": "meetings",
    "REV": "reviews",
    "VIS": "visits",
    "NET": "network meetings",
    "DRIFT": "drift",
    "PANEL": "drift",
    "CP": "child protection",
    "TRF": "transfers",
    "SD": "step-down",
    "SO": "supervision orders",
    "DCT": "disabled children",
    "DCS": "disabled children",
    "DP": "direct payments",
    "CLOSE": "closure",
    "END": "plan ends",
}
"""Rule families by the middle part of a rule code (``KENT-MTG-01`` is a meeting rule)."""


def rule_family(rule: pl.Expr | str = "rule") -> pl.Expr:
    """The family of a rule code, e.g. ``"reviews"`` for ``PORT-REV-03``.

    >>> import polars as pl
    >>> import cinscope as cs
    >>> pl.DataFrame({"rule": ["KENT-MTG-01", "NAT-ASMT-01", "X-NEW-1"]}).select(cs.rule_family())["family"].to_list()
    ['meetings', 'assessment', 'NEW']
    """
    expr = pl.col(rule) if isinstance(rule, str) else rule
    part = expr.cast(pl.String).str.split("-").list.get(1, null_on_oob=True)
    return part.replace_strict(FAMILIES, default=part, return_dtype=pl.String).alias("family")


def summary(obligations: pl.DataFrame, events: pl.DataFrame | None = None, *, as_of: _dt.date | None = None) -> pl.DataFrame:
    """The compact summary the main job prints: per rulebook and rule family, the obligations
    scored, met, late, overdue, the compliance rate, and (with ``events`` and ``as_of``) a row
    ``family == "all"`` per rulebook holding its totals and the drift counts of its children:
    plans open over 12 months at ``as_of``, and children with a stalled cycle (two or more
    consecutive missed cycles). The drift counts belong to the rulebook, not to a family, so
    they are null on the family rows."""
    table = compliance(obligations.with_columns(rule_family()), by=["rulebook", "family"]).select(
        "rulebook", "family", "met", "late", "overdue", "pending", "compliance"
    )
    if events is None or as_of is None:
        return table.sort("rulebook", "family")
    drift = _drift_counts(obligations, events, as_of)
    total = compliance(obligations, by="rulebook").select(
        "rulebook", "met", "late", "overdue", "pending", "compliance", family=pl.lit("all")
    )
    table = pl.concat([table, total.select(table.columns)])
    drift_columns = [c for c in drift.columns if c != "rulebook"]
    return (
        table.join(drift, on="rulebook", how="left")
        .with_columns(pl.when(pl.col("family") == "all").then(pl.col(c)).alias(c) for c in drift_columns)
        .sort("rulebook", pl.col("family") == "all", "family")
    )


def _drift_counts(obligations: pl.DataFrame, events: pl.DataFrame, as_of: _dt.date) -> pl.DataFrame:
    book_of = obligations.select("child_id", "rulebook").unique("child_id")
    plans = long_plans(events, as_of).filter(pl.col("open")).join(book_of, on="child_id")
    long = plans.group_by("rulebook").agg(plans_over_12m=pl.col("over_12_months").sum())
    stuck = stalled(obligations).select("rulebook", "child_id").unique().group_by("rulebook").agg(children_stalled=pl.len())
    return long.join(stuck, on="rulebook", how="full", coalesce=True).with_columns(
        pl.col("plans_over_12m", "children_stalled").fill_null(0)
    )


# --- SVG charts -------------------------------------------------------------------------------

_COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#5694ca", "#85994b", "#912b88"]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _bars(items: Sequence[tuple[str, float, str]], *, maximum: float | None = None, unit: str = "") -> str:
    """Horizontal bars: (label, value, text shown)."""
    if not items:
        return "<p>Nothing to show.</p>"
    top = maximum if maximum is not None else max(v for _, v, _ in items) or 1.0
    row, label_w, bar_w = 22, 340, 420
    height = row * len(items) + 10
    parts = [f'<svg role="img" width="{label_w + bar_w + 90}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, shown) in enumerate(items):
        y = 5 + i * row
        w = max(0.0, min(1.0, value / top)) * bar_w
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{_esc(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{_COLOURS[0]}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{_esc(shown)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _lines(series: dict[str, list[tuple[_dt.date, float]]], *, y_max: float = 1.0, percent: bool = True) -> str:
    """A line chart of dated series sharing one y scale from 0 to ``y_max``."""
    points = [p for s in series.values() for p in s]
    if not points:
        return "<p>Nothing to show.</p>"
    first = min(d for d, _ in points)
    last = max(d for d, _ in points)
    span = max(1, (last - first).days)
    w, h, left, bottom = 760, 260, 50, 30
    parts = [f'<svg role="img" width="{w + 220}" height="{h + bottom + 10}" xmlns="http://www.w3.org/2000/svg">']
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = 10 + h - frac * h
        label = f"{frac * y_max:.0%}" if percent else f"{frac * y_max:.0f}"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{label}</text>')
    parts.append(f'<text x="{left}" y="{h + 28}" font-size="11">{first:%b %Y}</text>')
    parts.append(f'<text x="{left + w}" y="{h + 28}" text-anchor="end" font-size="11">{last:%b %Y}</text>')
    for i, (name, values) in enumerate(series.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        coords = " ".join(
            f"{left + (d - first).days / span * w:.1f},{10 + h - min(v, y_max) / y_max * h:.1f}" for d, v in sorted(values)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        parts.append(f'<rect x="{left + w + 15}" y="{12 + i * 18}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{left + w + 32}" y="{22 + i * 18}" font-size="12">{_esc(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _histogram(values: list[int], edges: list[int], labels: list[str]) -> str:
    counts = [0] * len(labels)
    for v in values:
        for i in range(len(labels)):
            if v < edges[i + 1]:
                counts[i] += 1
                break
    total = max(1, len(values))
    return _bars([(label, c, f"{c} ({c / total:.0%})") for label, c in zip(labels, counts)])


def _table(frame: pl.DataFrame, limit: int = 50) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(limit).iter_rows():
        cells = "".join(
            f"<td>{'' if v is None else (f'{v:.1%}' if isinstance(v, float) else _esc(v))}</td>" for v in row
        )
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p>{frame.height - limit} more rows not shown.</p>" if frame.height > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _markdown_table(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return ""
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header, body = cells[0], cells[2:]
    head = "".join(f"<th>{_esc(c)}</th>" for c in header)
    rows = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in r) + "</tr>" for r in body)
    return f'<table class="matrix"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; margin: 2em; color: #0b0c0c; max-width: 1200px; }
h1 { font-size: 1.8em; } h2 { margin-top: 2em; border-bottom: 2px solid #1d70b8; }
table { border-collapse: collapse; font-size: 12px; margin: 0.5em 0; }
th, td { border: 1px solid #b1b4b6; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f2f1; } table.matrix td { max-width: 220px; overflow-wrap: anywhere; }
.note { color: #505a5f; font-size: 0.9em; }
"""


def html_report(
    obligations: pl.DataFrame,
    events: pl.DataFrame,
    path: str | Path,
    *,
    as_of: _dt.date,
    title: str = "cinscope report",
    suppress_below: int | None = None,
    coverage: pl.DataFrame | None = None,
) -> Path:
    """Writes a self-contained HTML report and returns its path.

    Sections: summary by rulebook and rule family; compliance by rule; compliance by month of
    the due date; the overdue worklist; Child in Need plan durations; the authorities compared;
    the timescale matrix of the rulebooks scored; with ``coverage`` (from
    :func:`cinscope.coverage`), what the source can support: the rules it cannot judge, and why,
    first. ``suppress_below`` hides counts (and rates)
    of groups smaller than it, for reports that leave the service. The file is written
    atomically: an existing report at ``path`` is replaced only by a complete one.
    """
    path = Path(path)
    books = sorted(obligations["rulebook"].unique().to_list())
    sections: list[str] = []

    table = summary(obligations, events, as_of=as_of)
    if suppress_below:
        counts = ["met", "late", "overdue", "pending"]
        small = pl.sum_horizontal("met", "late", "overdue") < suppress_below
        table = table.with_columns(
            [pl.when(pl.col(c) < suppress_below).then(None).otherwise(pl.col(c)).alias(c) for c in counts]
        ).with_columns(compliance=pl.when(small).then(None).otherwise(pl.col("compliance")))
    sections.append("<h2>Summary</h2>" + _table(table, limit=200))
    if coverage is not None and coverage.height:
        shown = coverage.select(
            "rulebook", "rule", "scorable", pl.col("reason").fill_null(""), "obligations"
        ).sort("scorable", "rulebook", "rule")
        missing = shown.filter(~pl.col("scorable")).height
        sections.append(
            "<h2>What the source can support</h2><p class='note'>"
            f"{missing} of {shown.height} rules cannot be judged from this source (it cannot hold the events that "
            "start or meet them): they are not scored, rather than shown as overdue. "
            "<code>obligations</code>: how many the rule yields on these events (for a rule not judged, how many "
            "were left out).</p>" + _table(shown, limit=500)
        )

    by_rule = compliance(obligations, by=["rulebook", "rule"], suppress_below=suppress_below).drop_nulls("compliance")
    by_rule = by_rule.sort("rulebook", "rule")
    def scored(r: dict[str, object]) -> str:
        counts = [r["met"], r["late"], r["overdue"]]
        return "" if any(c is None for c in counts) else f" of {sum(int(str(c)) for c in counts)}"

    # Inherited national rules appear under several rulebooks: name the rulebook when there are several.
    several = by_rule["rulebook"].n_unique() > 1

    def label(r: dict[str, object]) -> str:
        return f"{r['rulebook']} · {r['rule']}" if several else str(r["rule"])

    items = [(label(r), r["compliance"], f"{r['compliance']:.0%}{scored(r)}") for r in by_rule.iter_rows(named=True)]
    sections.append("<h2>Compliance by rule</h2>" + _bars(items, maximum=1.0))

    monthly = compliance(obligations, by="rulebook", period="month", suppress_below=suppress_below)
    monthly = monthly.filter(pl.col("period") <= as_of).drop_nulls("compliance")
    series = {
        book: [(d, v) for d, v in monthly.filter(pl.col("rulebook") == book).select("period", "compliance").iter_rows()]
        for book in books
    }
    sections.append("<h2>Compliance by month of the due date</h2>" + _lines(series))

    overdue = worklist(obligations)
    columns = [c for c in ["rulebook", "team", "worker", "child_id", "rule", "title", "due_date", "days_late", "working_days_late"] if c in overdue.columns]
    sections.append(
        f"<h2>Overdue worklist at {as_of}</h2><p>{overdue.height} overdue obligations, most urgent first.</p>"
        + _table(overdue.select(columns), limit=50)
    )

    plans = long_plans(events, as_of)
    months = plans["months"].drop_nulls().to_list()
    edges = [0, 3, 6, 9, 12, 18, 24, 10_000]
    labels = ["under 3 months", "3-6 months", "6-9 months", "9-12 months", "12-18 months", "18-24 months", "24 months or more"]
    sections.append(
        "<h2>Child in Need plan durations</h2><p class='note'>Ended plans by their length, open plans by their length at the as-of date.</p>"
        + _histogram(months, edges, labels)
    )

    overall = compliance(obligations, by="rulebook", suppress_below=suppress_below).drop_nulls("compliance").sort("rulebook")
    items = [
        (str(r["rulebook"]), r["compliance"], f"{r['compliance']:.1%}" + ("" if r["overdue"] is None else f" ({r['overdue']} overdue)"))
        for r in overall.iter_rows(named=True)
    ]
    sections.append("<h2>Authorities compared</h2><p class='note'>Each authority under its own rulebook.</p>" + _bars(items, maximum=1.0))

    matrix = _core.timescale_matrix([load_rulebook(b)._inner for b in books if b in _core.builtin_rulebooks()])
    sections.append("<h2>Timescale matrix</h2>" + _markdown_table(matrix))

    body = "\n".join(sections)
    children = events["child_id"].n_unique()
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{_esc(title)}</h1>"
        f"<p>{children:,} children, {events.height:,} events, {obligations.height:,} obligations, as of {as_of}. "
        f"Compliance = met / (met + late + overdue); pending and cancelled obligations are not in the rate.</p>"
        f"{body}<p class='note'>Made by cinscope {_esc(_core.__version__)}.</p></body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, page, encoding="utf-8")
    return path
