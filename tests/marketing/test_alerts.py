"""Pipeline anomaly alerts: the planted demo drop is caught on its day and slice; quiet series stay quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.marketing import alerts, data
from revintel.scope import Scope


def _series(values: np.ndarray, metric: str = "deals_created", bad: str = "down") -> alerts.Series:
    idx = pd.date_range(end="2025-12-31", periods=len(values), freq="D")
    return alerts.Series(
        metric, "Deals created", "region", "EMEA", pd.Series(values.astype(float), index=idx), bad=bad
    )


def _weekly(rng: np.random.Generator, level: float, n: int = 365) -> np.ndarray:
    rhythm = np.array([1.3, 1.2, 1.1, 1.1, 1.0, 0.2, 0.1])  # quiet weekends
    return level * np.tile(rhythm, n // 7 + 1)[:n]


@pytest.mark.parametrize("seed", range(6))
def test_a_planted_drop_in_daily_creation_is_caught_on_its_day(seed):
    rng = np.random.default_rng(seed)
    lam = _weekly(rng, 6.0)
    lam[300:] *= 0.45
    a = alerts.detect(_series(rng.poisson(lam)))
    assert a is not None
    start = pd.Timestamp(a.start)
    # within a few days: ~3 events a weekday and a quiet weekend cannot place a step more exactly
    assert abs((start - pd.Timestamp("2025-10-28")).days) <= 4
    assert -0.7 < a.change < -0.4 and a.days == pytest.approx(65, abs=4)


@pytest.mark.parametrize("seed", range(20))
def test_quiet_seasonal_series_raise_no_alert(seed):
    rng = np.random.default_rng(100 + seed)
    assert alerts.detect(_series(rng.poisson(_weekly(rng, 4.0)))) is None


def test_a_rise_in_slippage_alerts_but_a_rise_in_creation_does_not():
    rng = np.random.default_rng(5)
    lam = _weekly(rng, 4.0)
    lam[320:] *= 2.5
    values = rng.poisson(lam)
    assert alerts.detect(_series(values, "slippage", bad="up")) is not None
    assert alerts.detect(_series(values)) is None


@pytest.fixture(scope="module")
def demo_alerts(demo_runtime_shared):
    return alerts.scan(data.load(demo_runtime_shared, Scope.everything()))


def test_the_planted_emea_drop_is_the_only_alert_on_the_demo(demo_alerts):
    assert [(a.metric, a.dimension, a.value, a.start) for a in demo_alerts] == [
        ("lead_to_mql", "region", "EMEA", "2025-10-13")
    ]
    a = demo_alerts[0]
    assert a.change < -0.5 and a.p_value < 1e-10
    assert "Paid" in a.driver and a.evidence["decomposition"]
