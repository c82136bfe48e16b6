"""Chart JSON for the pages and sparkline geometry."""

from __future__ import annotations

import json

from revintel.web.charts import sparkline_points, trend_figure, waterfall_figure
from revintel.web.templating import chart, fmt, fmt_delta


def test_waterfall_starts_at_budget_steps_by_contributor_and_ends_at_actual():
    bridge = {
        "against": "budget",
        "start": 100.0,
        "end": 90.0,
        "steps": [{"label": "EMEA", "value": -15.0}, {"label": "APAC", "value": 5.0}],
    }
    fig = json.loads(waterfall_figure(bridge, "currency"))
    w = fig["data"][0]
    assert w["x"] == ["Budget YTD", "EMEA", "APAC", "Actual YTD"]
    assert w["measure"] == ["absolute", "relative", "relative", "total"]


def test_trend_without_budget_draws_no_budget_line():
    fig = json.loads(trend_figure([{"month": "2025-01-01", "value": 1.0, "prior_year": 2.0}], "count", "X"))
    assert [t["name"] for t in fig["data"]] == ["X", "Prior year"]


def test_sparkline_skips_missing_points_and_spans_the_box():
    pts = sparkline_points([1.0, None, 3.0, 2.0], width=90, height=36)
    xs = [float(p.split(",")[0]) for p in pts.split()]
    ys = [float(p.split(",")[1]) for p in pts.split()]
    assert xs == [0.0, 60.0, 90.0] and max(ys) == 34.0 and min(ys) == 2.0
    assert sparkline_points([None, 1.0]) == ""


def test_chart_json_cannot_close_its_script_tag():
    html = str(chart('{"data": [{"name": "</script><script>alert(1)</script>"}]}', "c1"))
    assert "</script><script>" not in html and "\\u003c/script\\u003e" in html


def test_numbers_are_formatted_by_unit():
    assert fmt(2_346_847_186.7, "currency") == "$2.35B"
    assert fmt(0.7588, "percent") == "75.9%"
    assert fmt(211.7, "currency_per_hour") == "$211.70/h"
    assert fmt(11_085_657, "hours") == "11.09M h"
    assert fmt(None, "currency") == "–"
    assert fmt_delta(-0.012, "percent") == "-1.2 pp"
    assert fmt_delta(-219_840, "hours") == "-219.8K h"
