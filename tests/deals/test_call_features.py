"""Call statistics as win-model features: only calls before the snapshot, and an honest verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revintel.deals.call_features import CALL_FEATURES, add_call_features, brier_change_interval, evaluate
from revintel.scope import get_persona


def _calls(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "conversation_id": f"C{i}",
                "opportunity_id": deal,
                "occurred_at": pd.Timestamp(day),
                "sentiment": sentiment,
                "talk_ratio": 0.5,
                "next_step": next_step,
                "objections": objections,
                "competitor": 0.0,
                "risk": 1.0 if sentiment < 0 else 0.0,
            }
            for i, (deal, day, sentiment, next_step, objections) in enumerate(rows)
        ]
    )


def test_only_calls_dated_up_to_the_snapshot_count() -> None:
    deals = pd.DataFrame({"opportunity_id": ["O1", "O2"]})
    calls = _calls(
        [
            ("O1", "2025-01-10", 0.6, 1.0, 0.0),
            ("O1", "2025-02-01", 0.2, 0.0, 2.0),
            ("O1", "2025-03-05", -0.8, 0.0, 4.0),  # after the snapshot: must not count
            ("O2", "2025-04-01", 0.9, 1.0, 0.0),  # after the snapshot: O2 has no call yet
        ]
    )
    f = add_call_features(deals, calls, pd.Timestamp("2025-03-01")).set_index("opportunity_id")
    assert f.loc["O1", "call_sentiment"] == pytest.approx(0.4)
    assert f.loc["O1", "call_next_step_share"] == pytest.approx(0.5)
    assert f.loc["O1", "call_objections"] == pytest.approx(1.0)
    assert f.loc["O1", "call_risk"] == 0.0
    assert f.loc["O2", list(CALL_FEATURES)].isna().all()
    later = add_call_features(deals, calls, pd.Timestamp("2025-06-01")).set_index("opportunity_id")
    assert later.loc["O1", "call_risk"] == 1.0 and later.loc["O2", "call_sentiment"] == pytest.approx(0.9)


def test_the_brier_interval_resamples_deals_and_sees_a_real_gain() -> None:
    rng = np.random.default_rng(1)
    rows = pd.DataFrame(
        {"opportunity_id": [f"O{i // 3}" for i in range(900)], "won": rng.integers(0, 2, 900)}
    )
    y = rows["won"].to_numpy(float)
    vague = np.full(900, 0.5)
    lo, hi = brier_change_interval(rows, vague, np.clip(y * 0.6 + 0.2, 0, 1))
    assert hi < 0  # a clearly better forecast
    lo, hi = brier_change_interval(rows, vague, vague + rng.normal(0, 0.01, 900))
    assert lo < 0 < hi  # noise is not a gain


@pytest.mark.slow
def test_evaluate_reports_both_models_on_the_later_window_and_keeps_calls_only_if_they_help(
    demo_runtime_shared,
) -> None:
    out = evaluate(demo_runtime_shared, get_persona("ceo").scope, pd.Timestamp("2025-12-31"))
    assert out["windows"]["test_start"] > out["windows"]["calibration_start"]
    assert set(out["call_features"]) | set(out["call_features_dropped_by_leakage_audit"]) == set(
        CALL_FEATURES
    )
    for side in ("without_calls", "with_calls"):
        assert 0.5 < out[side]["auc"] <= 1 and 0 < out[side]["brier"] < 0.25
    _lo, hi = out["brier_change_95ci"]
    assert out["helps"] == (hi < 0 and out["auc_change"] >= 0)
