"""Exact distribution of period revenue: checked by enumeration, and against the simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from revintel.errors import InvalidRequest
from revintel.forecast.exact import distribution
from revintel.forecast.simulate import expected, simulate


def test_exact_distribution_matches_enumerating_every_outcome() -> None:
    amounts = np.array([3.0, 5.0, 5.0, 11.0, 2.0, 7.0])
    probs = np.array([0.1, 0.5, 0.3, 0.8, 0.05, 0.6])
    truth: dict[int, float] = {}
    for wins in itertools.product([0, 1], repeat=len(amounts)):
        w = np.array(wins)
        pr = float(np.prod(np.where(w == 1, probs, 1 - probs)))
        total = int(np.dot(w, amounts))
        truth[total] = truth.get(total, 0.0) + pr
    d = distribution(amounts, probs)
    for total, pr in truth.items():
        assert d.pmf[total] == pytest.approx(pr, abs=1e-12)
    assert d.pmf.sum() == pytest.approx(1.0)
    assert d.mean() == pytest.approx(expected(amounts, probs))


@pytest.mark.parametrize(
    ("n", "seed"),
    [(4, 0), (12, 1), (40, 2)],
)
def test_simulation_agrees_with_the_exact_distribution_on_small_cases(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    amounts = rng.integers(1, 60, n).astype(float) * 1000
    probs = rng.uniform(0.05, 0.95, n)
    exact = distribution(amounts, probs, unit=1000)
    sims = simulate(amounts, probs, scenarios=40_000, seed=seed).totals[:, 0]
    # the simulated CDF is within sampling error of the exact CDF everywhere (Kolmogorov-Smirnov)
    values = np.unique(sims)
    emp = np.searchsorted(np.sort(sims), values, side="right") / len(sims)
    cdf = np.cumsum(exact.pmf)[np.round(values / 1000).astype(int)]
    assert np.max(np.abs(emp - cdf)) < 1.36 / np.sqrt(len(sims)) * 1.5
    # and the exact quantiles fall where the simulated CDF says they do
    for q, v in zip((0.1, 0.5, 0.9), exact.quantiles(), strict=True):
        assert np.mean(sims <= v) >= q - 0.01
        assert np.mean(sims < v) <= q + 0.01


def test_exact_quantiles_are_ordered_and_on_the_grid() -> None:
    d = distribution(np.array([10.0, 20.0, 30.0]), np.array([0.5, 0.5, 0.5]))
    p10, p50, p90 = d.quantiles()
    assert p10 <= p50 <= p90
    assert d.cdf(p50) >= 0.5


def test_exact_refuses_a_grid_too_large_to_compute() -> None:
    with pytest.raises(InvalidRequest, match="grid cells"):
        distribution(np.array([1e9, 2e9]), np.array([0.5, 0.5]), unit=1.0)
