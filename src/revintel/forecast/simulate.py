"""Monte Carlo revenue scenarios: each deal lands its amount with probability P(win) x P(close in period).

Deals are independent, so a scenario is one Bernoulli draw per deal. :func:`simulate` draws
them exactly for every deal when ``deals x scenarios`` fits the draw budget. Beyond it, the
deals that carry most of the variance (largest ``amount^2 p (1-p)``) are still drawn exactly
and the long tail of small deals is summed as a normal variable with the tail's exact mean and
variance (by the central limit theorem a sum of tens of thousands of small independent terms is
normal to well within Monte Carlo error; ``benchmarks/bench_forecast.py`` measures the gap
against the exact-for-every-deal simulation). An optional period-wide factor shared by all deals
(``shock_sd``, estimated by the win model from how its held-out periods' win counts strayed from
the predictions) widens the range for the uncertainty independent draws miss. Everything is
seeded: the same inputs and seed give the same scenarios.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

QUANTILES = (0.1, 0.5, 0.9)
DRAW_BUDGET = 20_000_000  # Bernoulli draws done exactly; deals beyond it go to the normal tail
CHUNK = 4_000_000  # draws per block, to bound memory


@dataclass
class Scenarios:
    """Simulated totals: ``totals`` is scenarios x groups (one column when there is no breakdown)."""

    totals: np.ndarray
    exact_deals: int
    tail_deals: int
    cumulative: np.ndarray | None = None  # scenarios x steps, summed over groups (see ``steps``)

    def quantiles(self, qs: tuple[float, ...] = QUANTILES) -> np.ndarray:
        """Quantiles per group (len(qs) x groups)."""
        return np.quantile(self.totals, qs, axis=0)


def _group_matrix(groups: np.ndarray | None, n: int) -> tuple[np.ndarray, int]:
    if groups is None:
        return np.zeros(n, dtype=np.int64), 1
    g = np.asarray(groups, dtype=np.int64)
    return g, int(g.max()) + 1 if len(g) else 1


def simulate(
    amounts: np.ndarray,
    probs: np.ndarray,
    scenarios: int = 10_000,
    seed: int = 0,
    groups: np.ndarray | None = None,
    budget: int = DRAW_BUDGET,
    shock_sd: float = 0.0,
    keys: Sequence[str] | None = None,
    steps: np.ndarray | None = None,
) -> Scenarios:
    """Simulate period revenue.

    Args:
        amounts: deal amounts.
        probs: per deal, P(win) x P(close inside the period | win).
        scenarios: number of scenarios.
        seed: random seed.
        groups: optional integer group code per deal (0..G-1) for a breakdown; the group columns
            of one scenario add up to that scenario's total.
        budget: Bernoulli draws done exactly before the small-deal tail is summed as a normal.
        shock_sd: spread of a period-wide factor shared by every deal of a scenario
            (``exp(z - shock_sd^2 / 2)``, ``z ~ N(0, shock_sd^2)``, mean 1): win rates move together
            from one period to the next, which independent draws alone would miss. The expected
            value is unchanged.
        keys: optional stable id per deal. With keys, each deal draws from its own stream
            (seeded by ``seed`` and its id) and the shared factor from ``seed`` alone, so a deal
            wins in the same scenarios whichever other deals are simulated with it: a region's
            range is the same whether it is forecast alone (a regional lead) or as one row of a
            breakdown (the CFO's page).
        steps: optional deals x S matrix of cumulative probabilities (non-decreasing along a row,
            last column equal to ``probs``), e.g. P(win) x P(close by the end of week s). The same
            draws decide every step (a deal won by week s stays won after it), so the last step's
            totals equal the period's, scenario by scenario; returned in ``cumulative``.

    Returns:
        The simulated totals per scenario (and group).
    """
    a = np.asarray(amounts, dtype=np.float64)
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    g, n_groups = _group_matrix(groups, len(a))
    rng = np.random.default_rng(seed)
    var = a * a * p * (1 - p)
    k = min(len(a), max(1, budget // max(scenarios, 1)))
    exact = np.argsort(-var, kind="stable")[:k] if k < len(a) else np.arange(len(a))
    tail = np.setdiff1d(np.arange(len(a)), exact, assume_unique=True)
    totals = np.zeros((scenarios, n_groups))
    ps = None if steps is None else np.clip(np.asarray(steps, dtype=np.float64), 0.0, 1.0)
    cum = None if ps is None else np.zeros((scenarios, ps.shape[1]))
    if len(exact) and keys is not None:
        for i in exact:  # common random numbers: deal i's draws depend on its id only
            u = np.random.default_rng([seed, _key_hash(keys[i])]).random(scenarios, dtype=np.float32)
            totals[:, g[i]] += np.where(u < np.float32(p[i]), a[i], 0.0)
            if cum is not None and ps is not None and a[i] and ps[i, -1] > 0:
                cum += (u[:, None] < ps[i].astype(np.float32)[None, :]) * a[i]
    elif len(exact):
        weights = np.zeros((len(exact), n_groups), dtype=np.float64)
        weights[np.arange(len(exact)), g[exact]] = a[exact]
        pe = p[exact].astype(np.float32)
        rows = max(1, CHUNK // len(exact))
        for s0 in range(0, scenarios, rows):
            s1 = min(scenarios, s0 + rows)
            u = rng.random((s1 - s0, len(exact)), dtype=np.float32)
            totals[s0:s1] = (u < pe).astype(np.float32) @ weights.astype(np.float32)
            if cum is not None and ps is not None:
                for k in range(ps.shape[1]):
                    cum[s0:s1, k] = (u < ps[exact, k].astype(np.float32)).astype(np.float32) @ a[exact]
    if len(tail):
        mean = np.bincount(g[tail], weights=a[tail] * p[tail], minlength=n_groups)
        sd = np.sqrt(np.bincount(g[tail], weights=var[tail], minlength=n_groups))
        z = rng.standard_normal((scenarios, n_groups))
        totals += mean + sd * z
        if cum is not None and ps is not None:  # the same normal draws, so the last step agrees
            for k in range(ps.shape[1]):
                pk = ps[tail, k]
                mk = np.bincount(g[tail], weights=a[tail] * pk, minlength=n_groups)
                sk = np.sqrt(np.bincount(g[tail], weights=a[tail] ** 2 * pk * (1 - pk), minlength=n_groups))
                cum[:, k] += (mk + sk * z).sum(axis=1)
    if shock_sd > 0:
        shock_rng = np.random.default_rng([seed, 0x5E0C]) if keys is not None else rng
        z = shock_rng.standard_normal(scenarios) * shock_sd
        factor = np.exp(z - shock_sd**2 / 2)
        totals *= factor[:, None]
        if cum is not None:
            cum *= factor[:, None]
    return Scenarios(
        np.maximum(totals, 0.0), len(exact), len(tail), None if cum is None else np.maximum(cum, 0.0)
    )


def _key_hash(key: object) -> int:
    """A stable 64-bit seed word for a deal id (the same across runs and processes)."""
    return int.from_bytes(hashlib.blake2b(str(key).encode(), digest_size=8).digest(), "little")


def simulate_loop(amounts: list[float], probs: list[float], scenarios: int, seed: int = 0) -> list[float]:
    """The same simulation as a plain Python loop (the benchmark's reference; exact for every deal)."""
    import random

    rnd = random.Random(seed)
    out = []
    for _ in range(scenarios):
        total = 0.0
        for a, p in zip(amounts, probs, strict=True):
            if rnd.random() < p:
                total += a
        out.append(total)
    return out


def expected(amounts: np.ndarray, probs: np.ndarray) -> float:
    """The forecast's expected value: the sum of amount x P(win) x P(close in period)."""
    return float(np.dot(np.asarray(amounts, float), np.asarray(probs, float)))
