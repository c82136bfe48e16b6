"""Plotly figures for the on-screen brief."""

from __future__ import annotations

import json

from revintel.export.document import ChartSpec, Series
from revintel.export.sample import sample_document
from revintel.web.brief_charts import figure_json


def test_every_chart_of_the_sample_brief_becomes_a_plotly_figure_with_its_values():
    specs = [it.chart for s in sample_document().sections for it in s.items if it.chart]
    figs = [json.loads(figure_json(spec)) for spec in specs]
    line, rng, bar = figs
    assert line["data"][0]["type"] == "scatter" and line["data"][0]["y"][-1] == 4.82e6
    assert rng["data"][0]["x"] == ["P10", "P50", "P90", "Quota"]
    assert bar["data"][0]["orientation"] == "h" and bar["layout"]["xaxis"]["tickformat"] == "$,.3s"


def test_a_chart_without_values_gives_no_figure():
    assert figure_json(ChartSpec("bar", "empty", [], [Series("x", [])])) is None
