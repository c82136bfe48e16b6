"""Scores of churn probabilities: the deals metrics plus lift in the top decile."""

from __future__ import annotations

from typing import Any

import numpy as np

from revintel.deals.metrics import ece, reliability


def top_decile_lift(p: np.ndarray, y: np.ndarray) -> float:
    """Churn rate among the 10% riskiest rows over the overall churn rate (1 = no better than chance)."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    if not len(y) or y.mean() == 0:
        return float("nan")
    k = max(1, int(np.ceil(0.1 * len(y))))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean() / y.mean())


def evaluate(p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """AUC, Brier, base-rate Brier (the window's own prevalence), ECE, top-decile lift, counts."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    y = np.asarray(y, int)
    rate = float(y.mean()) if len(y) else float("nan")
    both = len(np.unique(y)) == 2
    return {
        "auc": round(float(roc_auc_score(y, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(y, p)), 5) if len(y) else None,
        "base_rate_brier": round(rate * (1 - rate), 5) if len(y) else None,
        "ece": round(ece(p, y), 4) if len(y) else None,
        "top_decile_lift": round(top_decile_lift(p, y), 2) if both else None,
        "churn_rate": round(rate, 4) if len(y) else None,
        "rows": len(y),
        "churn_events": int(y.sum()),
        "reliability": reliability(p, y),
    }
