"""The churn estimator's parts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.impute import SimpleImputer

from revintel.customers.estimator import MedianImputer


@pytest.mark.parametrize("rows", [1, 2, 7, 1000])
def test_the_median_imputer_fills_what_sklearn_s_median_imputer_fills(rows: int) -> None:
    rng = np.random.default_rng(rows)
    x = np.round(rng.normal(size=(rows, 6)) * [1, 10, 100, 1000, 5, 3], 2)
    x[rng.random(size=x.shape) < 0.3] = np.nan
    x[:, 2] = np.nan  # a column with no value at all
    other = rng.normal(size=(20, 6))
    other[rng.random(size=other.shape) < 0.5] = np.nan
    ours = MedianImputer().fit(x)
    theirs = SimpleImputer(strategy="median", keep_empty_features=True).fit(x)
    assert np.array_equal(ours.statistics_, theirs.statistics_)
    assert np.array_equal(ours.transform(other), theirs.transform(other))
    assert not np.isnan(ours.transform(x)).any()
