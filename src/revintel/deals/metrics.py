"""Probability-quality metrics: AUC, Brier against the base rate, log loss, calibration error."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Equal-width reliability curve: per bin, the mean predicted and the observed win rate."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        if m.any():
            out.append(
                {
                    "bin": b,
                    "lower": b / bins,
                    "upper": (b + 1) / bins,
                    "predicted": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                    "n": int(m.sum()),
                }
            )
    return out


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the bin-weighted mean |predicted - observed| over equal-width bins."""
    curve = reliability(p, y, bins)
    n = sum(r["n"] for r in curve)
    return float(sum(r["n"] * abs(r["predicted"] - r["observed"]) for r in curve) / n) if n else float("nan")


def summary(
    p: np.ndarray,
    y: np.ndarray,
    reference_rate: float | None = None,
    closed: np.ndarray | None = None,
) -> dict[str, float | int | list]:
    """All the metrics the model card and ``deals train`` report, for predictions ``p`` of labels ``y``.

    ``base_rate_brier`` is the Brier score of always predicting the evaluated rows' own win rate
    (their prevalence, ``rate x (1 - rate)``): the bar a model must clear on that window.
    ``reference_rate`` (default: that same rate) is kept for reference — the win rate known when
    the model was trained. ``auc_closed`` is the AUC among rows whose deal actually closed
    (``closed``): whether the model separates wins from losses, not just live deals from dead ones.
    """
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    y = np.asarray(y, int)
    rate = float(y.mean()) if len(y) else float("nan")
    ref = rate if reference_rate is None else float(reference_rate)
    both = len(np.unique(y)) == 2
    c = np.ones(len(y), bool) if closed is None else np.asarray(closed, bool)
    both_closed = len(np.unique(y[c])) == 2
    return {
        "auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "auc_closed": float(roc_auc_score(y[c], p[c])) if both_closed else float("nan"),
        "brier": float(brier_score_loss(y, p)) if len(y) else float("nan"),
        "base_rate_brier": rate * (1 - rate),
        "prevalence_brier": rate * (1 - rate),
        "reference_rate": ref,
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if len(y) else float("nan"),
        "ece": ece(p, y),
        "win_rate": rate,
        "n": len(y),
        "reliability": reliability(p, y),
    }
