"""The exact distribution of period revenue for small cases, by dynamic programming over amounts.

Revenue is a sum of independent ``amount_i x Bernoulli(p_i)`` terms (a weighted
Poisson-binomial). On an amount grid of ``unit`` the probability mass function is built one deal
at a time: ``pmf' = pmf x (1 - p) + shift(pmf, amount / unit) x p`` — exact when every amount is a
multiple of ``unit`` (e.g. whole currency units with ``unit=1``), otherwise amounts are rounded to
the grid. The cost is deals x grid cells, so this is for small cases and for checking
:mod:`revintel.forecast.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from revintel.errors import InvalidRequest

MAX_CELLS = 2_000_000


@dataclass
class Distribution:
    """A distribution on the grid ``values = unit x 0..len(pmf)-1``."""

    unit: float
    pmf: np.ndarray

    @property
    def values(self) -> np.ndarray:
        return self.unit * np.arange(len(self.pmf))

    def mean(self) -> float:
        return float(np.dot(self.values, self.pmf))

    def quantile(self, q: float) -> float:
        """The smallest value whose cumulative probability reaches ``q``."""
        cdf = np.cumsum(self.pmf)
        return float(self.values[min(int(np.searchsorted(cdf, q - 1e-12)), len(cdf) - 1)])

    def quantiles(self, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> list[float]:
        return [self.quantile(q) for q in qs]

    def cdf(self, value: float) -> float:
        """P(revenue <= value)."""
        idx = int(np.floor(value / self.unit + 1e-9))
        return float(self.pmf[: max(idx + 1, 0)].sum())


def distribution(amounts: np.ndarray, probs: np.ndarray, unit: float | None = None) -> Distribution:
    """The exact (or grid-rounded) distribution of ``sum(amount_i x Bernoulli(p_i))``.

    Args:
        amounts: non-negative deal amounts.
        probs: per deal P(win) x P(close in period).
        unit: grid step; default 1 when all amounts are whole numbers, else total / 100,000.

    Raises:
        InvalidRequest: the grid would exceed ``MAX_CELLS`` cells.
    """
    a = np.asarray(amounts, float)
    p = np.clip(np.asarray(probs, float), 0.0, 1.0)
    if (a < 0).any():
        raise InvalidRequest("amounts must be non-negative for the exact distribution")
    total = float(a.sum())
    if unit is None:
        unit = 1.0 if np.allclose(a, np.round(a)) and total <= MAX_CELLS else max(total / 100_000, 1e-9)
    steps = np.round(a / unit).astype(np.int64)
    cells = int(steps.sum()) + 1
    if cells > MAX_CELLS:
        raise InvalidRequest(
            f"the exact distribution needs {cells:,} grid cells (limit {MAX_CELLS:,})",
            hint="use a coarser unit or the Monte Carlo simulation",
        )
    pmf = np.zeros(cells)
    pmf[0] = 1.0
    reach = 0
    for k, pk in zip(steps, p, strict=True):
        if pk == 0 or k == 0:
            continue
        upper = reach + k
        moved = pmf[: reach + 1] * pk
        pmf[: reach + 1] *= 1 - pk
        pmf[k : upper + 1] += moved
        reach = upper
    return Distribution(unit, pmf)
