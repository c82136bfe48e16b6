"""Call statistics (talk ratio, monologue, questions, interactivity, sentiment, next steps) and
competitive intel (heatmap with the planted EMEA surge, win rates with CIs, objections by stage)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli.app import state
from revintel.conversations.competitive import competitive_intel, feature_gaps, wilson
from revintel.conversations.stats import call_stats, stats_report
from revintel.scope import get_persona


def turn(role: str, start: float, end: float, text: str) -> dict:
    return {"role": role, "start_seconds": start, "end_seconds": end, "text": text}


def test_call_stats_by_hand() -> None:
    s = call_stats(
        [
            turn("rep", 0, 30, "Welcome. How is the quarter going?"),
            turn("rep", 30, 60, "Let me show the plan."),
            turn("customer", 60, 80, "This is great, we love it."),
            turn("rep", 80, 90, "Any questions? Shall we book a workshop?"),
            turn("customer", 90, 120, "The price is terrible and disappointing."),
        ]
    )
    assert s["talk_ratio"] == pytest.approx(70 / 120, abs=1e-3)
    assert s["longest_monologue_seconds"] == 60  # the first two rep turns in a row
    assert s["questions_rep"] == 3 and s["questions_customer"] == 0
    assert s["interactivity"] == pytest.approx(3 / 2)  # 3 speaker changes in 2 minutes
    assert -0.2 < s["customer_sentiment"] < 0.2  # one positive, one negative sentence


def test_stats_report_is_scoped_and_has_sentiment_trends(demo_runtime_shared) -> None:
    rt = demo_runtime_shared
    everyone = stats_report(rt, get_persona("ceo").scope, limit=5)
    emea = stats_report(rt, get_persona("emea_lead").scope, limit=5)
    assert 0 < emea["conversations"] < everyone["conversations"]
    assert 0 < everyone["averages"]["talk_ratio"] < 1
    assert 0 < everyone["averages"]["next_step_share"] <= 1
    trend = everyone["sentiment_trend"][0]
    assert trend["months"] and trend["calls"] == sum(m["calls"] for m in trend["months"])


def test_wilson_interval() -> None:
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.404, abs=1e-3) and hi == pytest.approx(0.596, abs=1e-3)
    assert wilson(0, 0) == (None, None)


def test_the_planted_emea_quantive_surge_shows(demo_runtime_shared) -> None:
    out = competitive_intel(demo_runtime_shared, get_persona("ceo").scope)
    surge = [(s["competitor"], s["region"], s["quarter"]) for s in out["surges"]]
    assert surge[0] == ("Quantive", "EMEA", "2025-Q4")
    cell = next(
        r
        for r in out["by_region"]
        if (r["competitor"], r["region"], r["quarter"]) == ("Quantive", "EMEA", "2025-Q4")
    )
    assert cell["per_100"] > 40 and cell["change"] > 30
    others = [r for r in out["by_region"] if r["quarter"] == "2025-Q4" and r["region"] != "EMEA"]
    assert all(r["per_100"] < 20 for r in others if r["competitor"] == "Quantive")
    assert {"region", "sector", "quarter", "per_100", "change"} <= set(out["heatmap"][0])


def test_a_regional_lead_sees_only_their_region_in_competitive_intel(demo_runtime_shared) -> None:
    out = competitive_intel(demo_runtime_shared, get_persona("americas_lead").scope)
    assert {r["region"] for r in out["heatmap"]} == {"Americas"}
    assert not out["surges"]


def test_win_rates_objections_by_stage_and_price_points(demo_runtime_shared) -> None:
    out = competitive_intel(demo_runtime_shared, get_persona("ceo").scope)
    for r in out["win_rates"]:
        for side in ("with", "without"):
            w = r[side]
            assert w["deals"] > 0 and w["ci_low"] <= w["win_rate"] <= w["ci_high"]
    stages = out["objections_by_stage"]
    assert set(stages["by_stage"]) <= {"Prospecting", "Qualification", "Proposal", "Negotiation", "Unknown"}
    assert stages["win_rate_when_raised"]["price_budget"]["deals"] > 0
    assert {p["competitor"] for p in out["price_points"]} == {
        "Quantive",
        "Northwind Analytics",
        "Corvex",
        "Altura",
    }


def test_feature_gaps_cluster_by_topic() -> None:
    gaps = feature_gaps(
        [
            "Does it integrate with Workday?",
            "We need the Workday integration.",
            "Workday integration is a must.",
            "There is no audit trail.",
            "The audit trail is missing.",
        ]
    )
    assert len(gaps) == 2 and gaps[0]["mentions"] == 3 and "workday" in gaps[0]["theme"]


def test_cli_competitors_json(demo_runtime_shared, monkeypatch) -> None:
    monkeypatch.setattr(state, "runtime", demo_runtime_shared)
    result = CliRunner().invoke(app, ["calls", "competitors", "--json", "--persona", "emea_lead"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["surges"][0]["competitor"] == "Quantive" and {r["region"] for r in out["heatmap"]} == {"EMEA"}
