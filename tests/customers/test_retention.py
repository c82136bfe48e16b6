"""Retention simulation: the range carries the uncertainty of its assumptions; the naive baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.customers.retention import Assumptions, naive, simulate


def _assumptions(years: int, shock: float = 0.4) -> Assumptions:
    rng = np.random.default_rng(0)
    return Assumptions(
        uplifts=rng.normal(1.03, 0.02, 200),
        sizes=rng.lognormal(np.log(0.25), 0.3, 80),
        expanded=30,
        eligible=200,
        shock_sd=shock,
        years=years,
    )


def _width(out: dict, k: str) -> float:
    return out[k]["p90"] - out[k]["p10"]


def test_fewer_years_of_history_give_a_wider_range() -> None:
    arr = np.full(300, 100_000.0)
    p = np.full(300, 0.08)
    short, long = simulate(arr, p, _assumptions(3)), simulate(arr, p, _assumptions(40))
    for k in ("grr", "nrr"):
        assert short[k]["p10"] <= short[k]["p50"] <= short[k]["p90"]
        assert _width(short, k) > 1.2 * _width(long, k)


def test_uncertain_assumptions_widen_nrr_even_without_a_year_shock() -> None:
    arr = np.full(300, 100_000.0)
    p = np.full(300, 0.08)
    few = _assumptions(40, shock=0.0)
    few.uplifts, few.sizes = few.uplifts[:5], few.sizes[:5]
    assert _width(simulate(arr, p, few), "nrr") > _width(simulate(arr, p, _assumptions(40, shock=0.0)), "nrr")


def test_naive_baseline_is_last_years_rate_with_a_band_from_earlier_years() -> None:
    months = pd.date_range("2020-01-01", "2023-12-01", freq="MS")
    grr = pd.Series(0.90 + 0.01 * np.sin(np.arange(len(months))), index=months)
    history = pd.DataFrame({"grr_actual": grr, "nrr_actual": grr + 0.1})
    t = pd.Timestamp("2024-06-01")
    out = naive(history, t)
    assert out["naive_grr_p50"] == round(grr[pd.Timestamp("2023-06-01")], 4)
    assert out["naive_grr_p10"] < out["naive_grr_p50"] < out["naive_grr_p90"]
    # nothing from a year that had not ended by t: too early an origin has no band
    early = naive(history, pd.Timestamp("2021-03-01"))
    assert early["naive_grr_p50"] is not None and early["naive_grr_p10"] is None
