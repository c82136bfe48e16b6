"""KPI cards and drill-downs on the demo data (and on a warehouse holding only deals)."""

from __future__ import annotations

import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery
from revintel.semantic.kpi import status, variance

CEO = get_persona("ceo").scope


def test_demo_summary_has_at_least_8_cards_with_budget_py_and_sparkline(demo_rt) -> None:
    cards = demo_rt.kpis.summary(CEO)
    assert len(cards) >= 8
    ids = [c.metric for c in cards]
    for needed in (
        "chargeable_hours",
        "rate_per_hour",
        "chargeability",
        "delivery_margin",
        "staff_attrition",
        "won_revenue",
        "win_rate",
        "sales_forecast",
    ):
        assert needed in ids
    for c in cards:
        assert c.value is not None and c.prior_year is not None and c.var_py_pct is not None
        assert len(c.sparkline) == 12
        body = "\n".join(ln for ln in c.sql["value"].splitlines() if not ln.startswith("--"))
        assert body.lstrip().upper().startswith(("SELECT", "WITH")) and "_rollup_" not in body
        assert c.definition["id"] == c.metric
        assert c.status in ("good", "bad", "neutral")
    budgeted = [c for c in cards if c.budget is not None]
    assert {"chargeable_hours", "won_revenue", "sales_forecast"} <= {c.metric for c in budgeted}
    for c in budgeted:
        assert c.var_budget == pytest.approx(c.value - c.budget)


def test_december_dip_shows_in_chargeable_hours(demo_rt) -> None:
    card = demo_rt.kpis.card("chargeable_hours", CEO, "2025")
    points = [p["value"] for p in card.sparkline]
    assert card.sparkline[-1]["period"] == "2025-12-01"
    assert points[-1] < 0.93 * points[-2]  # December well below November
    assert points[-1] < min(points[:-1])


def test_regional_lead_cards_are_their_region_only(demo_rt) -> None:
    everyone = {c.metric: c.value for c in demo_rt.kpis.summary(CEO)}
    emea = {c.metric: c.value for c in demo_rt.kpis.summary(get_persona("emea_lead").scope)}
    assert emea["chargeable_hours"] < everyone["chargeable_hours"]
    q = MetricQuery(metrics=["chargeable_hours"], dimensions=["region"], period="ytd")
    by_region = {r["region"]: r["chargeable_hours"] for r in demo_rt.semantic.query(q, CEO).records()}
    assert emea["chargeable_hours"] == pytest.approx(by_region["EMEA"])


def test_detail_has_trend_breakdown_and_a_bridge_that_ties(demo_rt) -> None:
    d = demo_rt.kpis.detail("chargeable_hours", CEO, "2025", by="capability")
    assert d["by"] == "capability" and len(d["breakdown"]) >= 3
    assert len(d["trend"]) == 12 and all(r["budget"] is not None for r in d["trend"])
    b = d["bridge"]
    assert b["against"] == "budget"
    assert b["start"] + sum(s["value"] for s in b["steps"]) == pytest.approx(b["end"])
    assert {"card", "trend", "breakdown", "bridge"} <= set(d["sql"])


def test_ratio_bridge_reconciles_with_a_mix_step(demo_rt) -> None:
    b = demo_rt.kpis.detail("rate_per_hour", CEO, "2025", by="region")["bridge"]
    assert b["start"] + sum(s["value"] for s in b["steps"]) == pytest.approx(b["end"])


def test_cards_for_empty_tables_are_left_out(pipeline_only_rt) -> None:
    cards = pipeline_only_rt.kpis.summary(CEO, "2025")
    assert {c.metric for c in cards} == {"won_revenue", "win_rate", "open_pipeline"}
    assert all(c.value is not None for c in cards)


@pytest.mark.parametrize(
    ("direction", "diff", "base", "expected"),
    [
        ("up", 5.0, 100.0, "good"),
        ("up", -5.0, 100.0, "bad"),
        ("down", 5.0, 100.0, "bad"),
        ("down", -5.0, 100.0, "good"),
        ("up", 0.01, 100.0, "neutral"),
        ("neutral", 5.0, 100.0, "neutral"),
        ("up", None, None, "neutral"),
    ],
)
def test_status_colours_follow_the_metric_direction(direction, diff, base, expected) -> None:
    assert status(direction, diff, base) == expected


def test_variance_is_absolute_and_relative_to_the_base() -> None:
    assert variance(110.0, 100.0) == (10.0, 0.1)
    assert variance(-5.0, -10.0) == (5.0, 0.5)
    assert variance(None, 1.0) == (None, None)
