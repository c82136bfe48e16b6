"""The features the churn model reads: the fast path equals the first (string-join) implementation."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from tests.customers import features_reference as reference

from revintel.customers import churn, features, scoring
from revintel.customers.data import load_frames
from revintel.scope import Scope


@pytest.fixture(scope="module")
def frames(demo_runtime_shared):  # type: ignore[no-untyped-def]
    return load_frames(demo_runtime_shared, Scope.everything())


def _labelled_rows(frames) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    ev = features.renewal_events(frames)
    return pd.concat(
        [ev.assign(cutoff=ev["renewal_date"] - pd.Timedelta(days=d)) for d in churn.LEADS], ignore_index=True
    )


def test_features_of_the_demo_s_labelled_rows_equal_the_reference(frames) -> None:
    rows = _labelled_rows(frames)
    products = features.product_list(frames)
    assert len(rows) > 1000 and rows["churned"].sum() > 50
    pd.testing.assert_frame_equal(
        features.features(frames, rows, products), reference.features(frames, rows, products)
    )


def test_features_of_live_customers_today_and_90_days_ago_equal_the_reference(frames) -> None:
    rows = pd.concat([scoring.live_rows(frames), scoring.live_rows(frames, 90)], ignore_index=True)
    products = features.product_list(frames)
    got = features.features(frames, rows, products)
    pd.testing.assert_frame_equal(got, reference.features(frames, rows, products))
    assert got["tickets_90d"].sum() > 0 and got["users_trend_3m"].notna().mean() > 0.5


def test_customers_without_usage_tickets_or_lines_get_the_reference_s_empty_values(frames) -> None:
    rows = _labelled_rows(frames).head(50)
    ghost = rows.head(3).assign(account_id=["nobody-1", "nobody-2", "nobody-3"])
    rows = pd.concat([rows, ghost], ignore_index=True)
    products = features.product_list(frames)
    empty = dataclasses.replace(frames, tickets=frames.tickets.iloc[:0], usage=frames.usage.iloc[:0])
    for f in (frames, empty):
        got = features.features(f, rows, products)
        pd.testing.assert_frame_equal(got, reference.features(f, rows, products))
    assert got.loc[got["account_id"] == "nobody-1", "lines"].item() == 0


def test_a_large_book_is_scored_by_the_compiled_trees_with_lightgbm_s_probabilities(
    demo_runtime_shared, frames, tmp_path
) -> None:
    from revintel.customers import estimator

    m = scoring.model(demo_runtime_shared)
    rows = scoring.live_rows(frames)
    big = churn._frame(frames, rows, m.products)
    big = big.iloc[list(range(len(big))) * (20_000 // len(big) + 1)].reset_index(drop=True)
    fast = dataclasses.replace(m.estimator, extra={})
    estimator.compile_trees(fast, tmp_path)
    assert "compiled" in fast.extra
    calls = []
    fast.booster = _Refusing(m.estimator.booster, calls)  # the compiled trees score a large frame
    assert max(abs(fast.predict(big) - m.estimator.predict(big))) < 1e-9
    assert calls == []
    fast.predict(big.head(10))  # a small one goes through LightGBM
    assert calls == ["predict"]


class _Refusing:
    def __init__(self, booster, calls: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.booster, self.calls = booster, calls

    def predict(self, x, raw_score: bool = False):  # type: ignore[no-untyped-def]
        self.calls.append("predict")
        return self.booster.predict(x, raw_score=raw_score)
