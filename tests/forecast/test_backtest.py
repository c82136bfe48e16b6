"""Backtest: past quarters replayed from what was known the day before each started."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.forecast.backtest import backtest, past_quarters
from revintel.scope import get_persona


def test_past_quarters_are_complete_and_end_before_the_as_of_date() -> None:
    qs = past_quarters(dt.date(2025, 11, 15), 3)
    assert [(q.start, q.end) for q in qs] == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ]
    assert past_quarters(dt.date(2025, 12, 31), 1)[0].end == dt.date(2025, 12, 31)


def test_backtest_reports_coverage_pit_crps_and_naive_forecasts_per_quarter(deals_rt) -> None:
    ceo = get_persona("ceo").scope  # the CLI's default persona: the CLI and page tests reuse this cached run
    out = backtest(deals_rt, ceo, periods=2)
    assert out["periods"] == out["quarters"] == 2 and len(out["rows"]) == 2
    assert 0 <= out["coverage_p10_p90"] <= 1
    assert out["mape_p50"] >= 0 and out["crps"] > 0 and out["interval_score"] > 0
    assert len(out["pit"]["values"]) == 2 and sum(b["count"] for b in out["pit"]["histogram"]) == 2
    assert set(out["baselines"]) == {"crm_weighted_pipeline", "last_quarter_actual"}
    assert set(out["coverage"]) == {f"p{q}" for q in range(10, 100, 10)}
    for r in out["rows"]:
        assert r["as_of"] < r["start"]  # forecast made before the period started
        assert r["p10"] <= r["p50"] <= r["p90"]
        assert r["covered"] == (r["p10"] <= r["actual"] <= r["p90"])
        assert r["actual"] == pytest.approx(r["actual_pipeline"] + r["actual_new"])
        assert r["expected"] == pytest.approx(r["expected_pipeline"] + r["expected_in_period"])
        assert r["expected_in_period"] > 0 and r["band_scale"] == 1.0  # no earlier quarters to calibrate on
        assert 0 <= r["pit"] <= 1 and 0 <= r["brier"] <= 1
        assert r["naive"]["last_quarter_actual"] > 0
    again = backtest(deals_rt, ceo, periods=2)
    assert again == out  # cached per data, scope and as-of date


def test_scoring_rules_reward_sharp_calibrated_forecasts() -> None:
    import numpy as np

    from revintel.forecast import scoring

    rng = np.random.default_rng(0)
    sharp, wide = rng.normal(100, 5, 4000), rng.normal(100, 30, 4000)
    assert scoring.crps(sharp, 101) < scoring.crps(wide, 101)
    assert scoring.crps(np.array([90.0]), 100) == pytest.approx(10.0)  # a point forecast: its absolute error
    assert scoring.pit(sharp, 100) == pytest.approx(0.5, abs=0.03)
    assert scoring.interval_score(90, 110, 100) == 20 and scoring.interval_score(90, 110, 120) == 20 + 10 * 10
    assert scoring.band_scale([0.5, 1.0]) == 1.0  # too few quarters: leave the bands alone
    assert scoring.band_scale([2.0, 2.0, 2.0, 2.0]) == pytest.approx(2.0)
    stretched = scoring.stretch(sharp, 2.0)
    assert np.std(stretched) == pytest.approx(2 * np.std(sharp), rel=0.01)
