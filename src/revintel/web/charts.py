"""Plotly figures for the pages, as JSON the browser draws with Plotly.js (``chart()`` in templates).

Figures are data, built in Python: no generated code runs in the browser. Sparklines are tiny
inline SVG (no Plotly), so the dashboard stays light.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from revintel import format as fmt_mod

COLORS = {
    "actual": "#3b6fe0",
    "budget": "#9aa5b8",
    "py": "#e0913b",
    "good": "#138a4f",
    "bad": "#c9372c",
    "total": "#6b7688",
}
_LAYOUT = {
    "margin": {"l": 50, "r": 16, "t": 24, "b": 40},
    "legend": {"orientation": "h", "y": -0.18},
    "hovermode": "x unified",
}


def _label(value: Any) -> str:
    return "(none)" if value is None or value == "" else str(value)


def to_json(fig: go.Figure) -> str:
    """Plotly JSON (data + layout) for ``revintel.drawCharts`` in app.js."""
    return fig.to_json(validate=False, pretty=False)


def _axis(unit: str, **extra: Any) -> dict[str, Any]:
    """Axis settings whose ticks carry the unit (``$2.6B``, ``40%``): :func:`revintel.format.plotly_axis`."""
    return {**fmt_mod.plotly_axis(unit), **extra}


def trend_figure(trend: Sequence[dict[str, Any]], unit: str, label: str) -> str | None:
    """Monthly actual vs budget vs prior year."""
    if not trend:
        return None
    x = [r["month"] for r in trend]
    fig = go.Figure()
    values = [r.get("value") for r in trend]
    rate = fmt_mod.is_rate(unit)  # a rate is a level, drawn as a line on a range around its data
    if rate:
        fig.add_scatter(
            x=x, y=values, name=label, mode="lines+markers", line={"color": COLORS["actual"], "width": 3}
        )
    else:
        fig.add_bar(x=x, y=values, name=label, marker_color=COLORS["actual"])
    if any(r.get("budget") is not None for r in trend):
        fig.add_scatter(
            x=x,
            y=[r.get("budget") for r in trend],
            name="Budget",
            mode="lines",
            line={"color": COLORS["budget"], "dash": "dash", "width": 2},
        )
    if any(r.get("prior_year") is not None for r in trend):
        fig.add_scatter(
            x=x,
            y=[r.get("prior_year") for r in trend],
            name="Prior year",
            mode="lines+markers",
            line={"color": COLORS["py"], "width": 2},
        )
    every = [*values, *(r.get("budget") for r in trend), *(r.get("prior_year") for r in trend)]
    span = fmt_mod.axis_range(every, from_zero=None if rate else True)
    fig.update_layout(**_LAYOUT, yaxis=_axis(unit, **({"range": list(span)} if span and rate else {})))
    return to_json(fig)


def breakdown_figure(rows: Sequence[dict[str, Any]], by: str, unit: str, label: str) -> str | None:
    """Horizontal bars per dimension value, with budget markers."""
    if not rows:
        return None
    top = list(rows)[:25][::-1]
    y = [_label(r.get(by)) for r in top]
    fig = go.Figure()
    fig.add_bar(
        y=y, x=[r.get("value") for r in top], orientation="h", name=label, marker_color=COLORS["actual"]
    )
    if any(r.get("budget") is not None for r in top):
        fig.add_scatter(
            y=y,
            x=[r.get("budget") for r in top],
            mode="markers",
            name="Budget",
            marker={"color": COLORS["budget"], "symbol": "line-ns-open", "size": 16, "line": {"width": 3}},
        )
    if any(r.get("prior_year") is not None for r in top):
        fig.add_scatter(
            y=y,
            x=[r.get("prior_year") for r in top],
            mode="markers",
            name="Prior year",
            marker={"color": COLORS["py"], "size": 8},
        )
    margin = {"l": 120, "r": 16, "t": 36, "b": 30}
    legend = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}
    fig.update_layout(
        **{**_LAYOUT, "hovermode": "y unified", "margin": margin, "legend": legend},
        xaxis=_axis(unit),
        height=breakdown_height(len(top)),
    )
    return to_json(fig)


def breakdown_height(n: int) -> int:
    """Pixel height of the breakdown chart for ``n`` bars (at most 25 are drawn)."""
    return max(260, 28 * min(n, 25) + 90)


def waterfall_figure(bridge: dict[str, Any] | None, unit: str) -> str | None:
    """YTD bridge: budget (or PY) -> each contributor's variance -> actual."""
    if not bridge:
        return None
    against = "Budget" if bridge["against"] == "budget" else "Prior year"
    steps = bridge["steps"]
    fig = go.Figure(
        go.Waterfall(
            x=[f"{against} YTD", *[_label(s["label"]) for s in steps], "Actual YTD"],
            y=[bridge["start"], *[s["value"] or 0 for s in steps], bridge["end"]],
            measure=["absolute", *["relative"] * len(steps), "total"],
            increasing={"marker": {"color": COLORS["good"]}},
            decreasing={"marker": {"color": COLORS["bad"]}},
            totals={"marker": {"color": COLORS["total"]}},
            connector={"line": {"color": "#9aa5b8"}},
        )
    )
    running, levels = bridge["start"], [bridge["start"], bridge["end"]]
    for st in steps:
        running += st["value"] or 0
        levels.append(running)
    lo, hi = min(levels), max(levels)
    pad = (hi - lo) * 0.25 or abs(hi) * 0.05 or 1.0
    floor = 0 if lo - pad < 0 <= lo else lo - pad  # zoom in on the changes, never below 0 needlessly
    fig.update_layout(
        **{**_LAYOUT, "hovermode": "closest"}, showlegend=False, yaxis=_axis(unit, range=[floor, hi + pad])
    )
    return to_json(fig)


def sparkline_points(values: Sequence[float | None], width: int = 120, height: int = 36) -> str:
    """SVG polyline points for a sparkline (gaps for missing values are skipped)."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    lo, hi = min(v for _, v in known), max(v for _, v in known)
    span = (hi - lo) or 1.0
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in known)


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=str)
