"""Breakdowns: only the metric's own budget groups; by default a dimension the scope does not pin."""

from __future__ import annotations

from revintel.scope import get_persona
from revintel.semantic import MetricQuery


def test_breakdown_with_budget_has_only_the_metrics_own_groups(demo_rt):
    # the demo budgets won_revenue by region only (capability ''), chargeable_hours by region x capability
    q = MetricQuery(metrics=["chargeable_hours"], dimensions=["capability"], period="YTD", compare=["budget"])
    res = demo_rt.semantic.query(q, get_persona("cfo").scope)
    groups = [row[0] for row in res.rows]
    assert "" not in groups and None not in groups
    assert len(groups) == 8
    assert all(row[2] is not None for row in res.rows)


def test_kpi_drill_down_breakdown_and_bridge_have_no_empty_group(demo_rt):
    d = demo_rt.kpis.detail("chargeable_hours", get_persona("cfo").scope, None, "capability")
    labels = [str(step["label"]) for step in d["bridge"]["steps"]]
    assert "(none)" not in labels and "" not in labels
    assert all(r["capability"] not in ("", None) for r in d["breakdown"])


def test_default_breakdown_skips_the_dimension_the_scope_pins(demo_rt):
    lead = demo_rt.kpis.detail("chargeable_hours", get_persona("emea_lead").scope)
    assert lead["by"] != "region"
    assert len(lead["breakdown"]) > 1
    assert demo_rt.kpis.detail("chargeable_hours", get_persona("cfo").scope)["by"] == "region"
