"""Monte Carlo forecast: expected value, ordering, determinism, breakdowns, the large-case tail."""

from __future__ import annotations

import numpy as np
import pytest

from revintel.forecast.simulate import expected, simulate, simulate_loop


def _case(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.lognormal(10, 1, n), rng.beta(1.2, 3, n)


@pytest.mark.parametrize("n", [5, 60, 3000])
def test_simulated_mean_equals_sum_of_p_win_times_p_close_times_amount(n: int) -> None:
    amounts, probs = _case(n, n)
    sims = simulate(amounts, probs, scenarios=20_000, seed=1)
    se = np.sqrt(np.sum(amounts**2 * probs * (1 - probs)) / 20_000)
    assert abs(sims.totals.mean() - expected(amounts, probs)) < 4 * se


def test_p10_p50_p90_are_ordered() -> None:
    p10, p50, p90 = simulate(*_case(200, 3), scenarios=5000, seed=0).quantiles().ravel()
    assert p10 <= p50 <= p90
    assert p10 < p90


def test_same_seed_gives_the_same_scenarios_and_another_seed_does_not() -> None:
    a, p = _case(100, 4)
    one, two = simulate(a, p, 1000, seed=9).totals, simulate(a, p, 1000, seed=9).totals
    assert np.array_equal(one, two)
    assert not np.array_equal(one, simulate(a, p, 1000, seed=10).totals)


def test_breakdown_columns_add_up_to_each_scenario_total() -> None:
    a, p = _case(300, 5)
    groups = np.arange(300) % 4
    by = simulate(a, p, 2000, seed=2, groups=groups)
    assert by.totals.shape == (2000, 4)
    for g in range(4):
        m = groups == g
        se = np.sqrt(np.sum(a[m] ** 2 * p[m] * (1 - p[m])) / 2000)
        assert abs(by.totals[:, g].mean() - expected(a[m], p[m])) < 4 * se


def test_certain_and_impossible_deals_have_no_spread() -> None:
    sims = simulate(np.array([100.0, 50.0, 7.0]), np.array([1.0, 0.0, 1.0]), 500, seed=0)
    assert np.all(sims.totals == 107.0)


def test_small_deal_tail_keeps_the_quantiles_of_the_exact_simulation() -> None:
    a, p = _case(20_000, 6)
    exact = simulate(a, p, 2000, seed=1, budget=10**12)
    mixed = simulate(a, p, 2000, seed=1, budget=2_000_000)
    assert exact.tail_deals == 0 and mixed.tail_deals > 0
    spread = exact.quantiles()[2, 0] - exact.quantiles()[0, 0]
    assert np.all(np.abs(exact.quantiles() - mixed.quantiles()) < 0.05 * spread)


def test_python_loop_reference_agrees_with_the_vectorised_simulation() -> None:
    a, p = _case(40, 7)
    loop = np.array(simulate_loop(a.tolist(), p.tolist(), 4000, seed=3))
    vec = simulate(a, p, 4000, seed=3).totals[:, 0]
    se = np.sqrt(np.sum(a**2 * p * (1 - p)) / 4000)
    assert abs(loop.mean() - vec.mean()) < 6 * se
    assert np.allclose(np.quantile(loop, [0.1, 0.5, 0.9]), np.quantile(vec, [0.1, 0.5, 0.9]), rtol=0.05)


def test_a_period_wide_shock_widens_the_range_but_keeps_the_expected_value() -> None:
    a, p = _case(2000, 8)
    plain = simulate(a, p, 20_000, seed=4)
    shocked = simulate(a, p, 20_000, seed=4, shock_sd=0.2)
    q_plain, q_shock = plain.quantiles().ravel(), shocked.quantiles().ravel()
    assert (q_shock[2] - q_shock[0]) > 2 * (q_plain[2] - q_plain[0])
    assert shocked.totals.mean() == pytest.approx(expected(a, p), rel=0.01)


def test_a_groups_range_is_the_same_simulated_alone_or_in_a_breakdown():
    a, p = _case(120, 5)
    keys = [f"OPP-{i}" for i in range(len(a))]
    groups = np.arange(len(a)) % 3
    together = simulate(a, p, 4000, seed=3, groups=groups, shock_sd=0.1, keys=keys)
    mine = groups == 1
    alone = simulate(a[mine], p[mine], 4000, seed=3, shock_sd=0.1, keys=[k for k, m in zip(keys, mine) if m])
    np.testing.assert_allclose(together.totals[:, 1], alone.totals[:, 0])
