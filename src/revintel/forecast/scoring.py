"""Scoring rules for probabilistic forecasts of one number (a quarter's revenue) from scenarios.

* ``pit``: the forecast's CDF at the outcome (uniform on [0, 1] when the forecast is calibrated);
* ``crps``: the continuous ranked probability score ``E|X - y| - E|X - X'| / 2``, in money — for a
  point forecast it is the absolute error, so forecasts with and without ranges compare directly;
* ``interval_score``: the width of the P10-P90 range plus ``2 / alpha`` times how far the outcome
  fell outside it (``alpha = 0.2``), in money (Gneiting and Raftery, 2007);
* ``band_scale``: how far a range must be stretched around its median for past outcomes to fall
  inside P10-P90 four times in five (used on later quarters only).
"""

from __future__ import annotations

import numpy as np

QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
ALPHA = 0.2


def pit(samples: np.ndarray, y: float) -> float:
    """P(X < y) + P(X = y) / 2 over the scenarios."""
    s = np.asarray(samples, float)
    return float(np.mean(s < y) + 0.5 * np.mean(s == y))


def crps(samples: np.ndarray, y: float) -> float:
    """CRPS of the scenario distribution at outcome ``y`` (exact for the empirical distribution)."""
    s = np.sort(np.asarray(samples, float))
    n = len(s)
    if n == 0:
        return float("nan")
    spread = np.sum((2 * np.arange(1, n + 1) - n - 1) * s) / (n * n)
    return float(np.mean(np.abs(s - y)) - spread)


def interval_score(lo: float, hi: float, y: float, alpha: float = ALPHA) -> float:
    """Interval score of the central ``1 - alpha`` range ``[lo, hi]`` at outcome ``y`` (lower is better)."""
    return float((hi - lo) + 2 / alpha * max(lo - y, 0.0) + 2 / alpha * max(y - hi, 0.0))


def stretch(samples: np.ndarray, scale: float) -> np.ndarray:
    """Scenarios stretched (``scale > 1``) or shrunk around their median, kept at or above 0."""
    s = np.asarray(samples, float)
    med = float(np.median(s))
    return np.maximum(med + scale * (s - med), 0.0)


def required_scale(samples: np.ndarray, y: float) -> float:
    """The stretch that puts ``y`` exactly on the P10 or P90 of ``samples``."""
    p10, p50, p90 = np.quantile(samples, (0.1, 0.5, 0.9))
    half = (p90 - p50) if y >= p50 else (p50 - p10)
    return float(abs(y - p50) / half) if half > 0 else float("inf")


def band_scale(required: list[float], target: float = 1 - ALPHA, minimum: int = 3) -> float:
    """The stretch that would have covered ``target`` of past outcomes (1 with fewer than ``minimum``)."""
    r = np.asarray([x for x in required if np.isfinite(x)], float)
    if len(r) < minimum:
        return 1.0
    return float(np.clip(np.quantile(r, target), 0.5, 5.0))


def pit_histogram(values: list[float], bins: int = 5) -> list[dict[str, float]]:
    """Counts of PIT values in equal bins (flat when calibrated)."""
    counts, edges = np.histogram(np.asarray(values, float), bins=bins, range=(0.0, 1.0))
    return [
        {"lower": float(edges[i]), "upper": float(edges[i + 1]), "count": int(counts[i])} for i in range(bins)
    ]
