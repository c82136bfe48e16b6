"""The quarter week by week: cumulative expected revenue, its P10-P90 band and the actuals so far."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from revintel.forecast.rollup import forecast
from revintel.scope import Scope


def _check_shape(weeks: list[dict]) -> None:
    for a, b in itertools.pairwise(weeks):
        assert b["week_end"] > a["week_end"]
        for key in ("expected", "p10", "p50", "p90"):  # cumulative: never falls from one week to the next
            assert b[key] >= a[key] - 1e-6, (key, a, b)
    for w in weeks:
        assert w["p10"] <= w["p50"] <= w["p90"]


def test_the_weeks_accumulate_to_the_period_forecast(deals_rt) -> None:
    f = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=4000, weekly=True)
    weeks = f.weekly
    assert weeks[0]["week_end"] == "2026-01-07" and weeks[-1]["week_end"] == "2026-03-31"
    assert len(weeks) == 13
    _check_shape(weeks)
    last = weeks[-1]
    t = f.total
    assert (last["expected"], last["p10"], last["p50"], last["p90"]) == (t.expected, t.p10, t.p50, t.p90)
    assert all(w["actual"] is None for w in weeks)  # the quarter has not begun on the as-of date
    assert weeks[0]["expected"] < 0.35 * t.expected  # most of the quarter's revenue lands after week 1
    # the same scenarios: the week before the last is close to the total, never above its P90
    assert weeks[-2]["p90"] <= t.p90 + 1e-6


def test_mid_quarter_the_actuals_so_far_are_drawn_and_are_the_floor_of_later_weeks(deals_rt) -> None:
    as_of = dt.date(2025, 11, 15)
    f = forecast(deals_rt, Scope.everything(), "2025-Q4", as_of=as_of, scenarios=2000, weekly=True)
    weeks = f.weekly
    _check_shape(weeks)
    begun = [w for w in weeks if w["actual"] is not None]
    assert begun and len(begun) < len(weeks)
    assert begun[-1]["actual"] == pytest.approx(f.total.won_to_date)  # booked to the as-of date
    for w in weeks:
        if w["actual"] is not None and dt.date.fromisoformat(w["week_end"]) <= as_of:
            assert w["p10"] == pytest.approx(w["actual"]) == pytest.approx(w["p90"])  # known: no range
        assert w["p10"] >= min(w["actual"] or 0.0, f.total.won_to_date) - 1e-6


def test_without_the_weekly_view_the_forecast_is_unchanged(deals_rt) -> None:
    a = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=2000, seed=3)
    b = forecast(deals_rt, Scope.everything(), "2026-Q1", by="region", scenarios=2000, seed=3, weekly=True)
    assert a.weekly == [] and b.weekly
    assert a.to_dict()["total"] == b.to_dict()["total"] and a.to_dict()["rows"] == b.to_dict()["rows"]


def test_the_last_week_s_close_probabilities_are_the_period_s(deals_rt) -> None:
    import numpy as np

    from revintel.deals import model as win_model
    from revintel.deals.horizon import period_probabilities, resolve_period
    from revintel.deals.scoring import open_deals
    from revintel.forecast import weekly

    m = win_model.ensure(deals_rt)
    deals = open_deals(deals_rt, Scope.everything())
    per = resolve_period("2026-Q1", deals_rt.as_of())
    steps = weekly.step_probabilities(m, deals, per, deals_rt.as_of(), weekly.week_ends(per))
    assert np.array_equal(steps[:, -1], period_probabilities(m, deals, per, deals_rt.as_of()))
    assert (np.diff(steps, axis=1) >= 0).all() and steps[:, 0].mean() < steps[:, -1].mean()
