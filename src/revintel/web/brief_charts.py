"""Plotly figures (as JSON) for the chart specs of a brief document, for the on-screen brief."""

from __future__ import annotations

import json
from typing import Any

from revintel.export.document import ChartSpec

COLORS = ["#1f4e79", "#e07b39", "#6a9f58", "#9e4a9c", "#c44e52", "#7f7f7f"]
TICKS = {"currency": "$,.3s", "percent": ".1%", "count": ",d", "hours": ",.3s"}


def figure_json(spec: ChartSpec) -> str | None:
    """The spec as a Plotly figure (bar, column, line, range); None when it has no values."""
    if spec.is_empty():
        return None
    data: list[dict[str, Any]] = []
    for i, s in enumerate(spec.series):
        trace: dict[str, Any] = {"name": s.name, "marker": {"color": COLORS[i % len(COLORS)]}}
        if spec.kind == "line":
            trace.update(
                type="scatter",
                mode="lines+markers",
                x=spec.categories,
                y=s.values,
                line={"color": COLORS[i % len(COLORS)]},
            )
        elif spec.kind == "bar":
            trace.update(type="bar", orientation="h", y=spec.categories, x=s.values)
        else:
            trace.update(type="bar", x=spec.categories, y=s.values)
        data.append(trace)
    axis = {"tickformat": TICKS.get(spec.unit, "")}
    layout: dict[str, Any] = {
        "title": {"text": spec.title, "font": {"size": 13}},
        "margin": {"l": 60, "r": 10, "t": 36, "b": 40},
        "showlegend": len(spec.series) > 1,
        "legend": {"orientation": "h"},
        "barmode": "group",
    }
    layout["xaxis" if spec.kind == "bar" else "yaxis"] = axis
    if spec.kind == "bar":
        layout["yaxis"] = {"autorange": "reversed"}
    return json.dumps({"data": data, "layout": layout}, default=str)
