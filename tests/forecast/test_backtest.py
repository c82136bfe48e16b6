"""Backtest: past quarters replayed from what was known the day before each started."""

from __future__ import annotations

import datetime as dt

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


def test_backtest_reports_coverage_error_and_calibration_per_period(deals_rt) -> None:
    ceo = get_persona("ceo").scope  # the CLI's default persona: the CLI and page tests reuse this cached run
    out = backtest(deals_rt, ceo, periods=2)
    assert out["periods"] == 2 and len(out["rows"]) == 2
    assert 0 <= out["coverage_p10_p90"] <= 1
    assert out["mape_p50"] >= 0
    for r in out["rows"]:
        assert r["as_of"] < r["start"]  # forecast made before the period started
        assert r["p10"] <= r["p50"] <= r["p90"]
        assert r["covered"] == (r["p10"] <= r["actual"] <= r["p90"])
        assert 0 <= r["brier"] <= 1 and 0 <= r["ece"] <= 1
    again = backtest(deals_rt, ceo, periods=2)
    assert again == out  # cached per data, scope and as-of date
