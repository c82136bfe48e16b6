"""Probability calibration of the raw model score: isotonic or Platt, chosen on held-out deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss


@dataclass
class Calibrator:
    """Maps the booster's raw log-odds to a calibrated probability.

    ``kind`` is ``platt`` (a logistic curve ``1/(1+exp(-(a*m+b)))``) or ``isotonic`` (a
    monotone step function given by ``x``/``y`` knots, interpolated linearly).
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def __call__(self, margin: np.ndarray) -> np.ndarray:
        m = np.asarray(margin, float)
        if self.kind == "platt":
            return 1.0 / (1.0 + np.exp(-(self.params["a"] * m + self.params["b"])))
        if self.kind == "isotonic":
            return np.interp(m, self.params["x"], self.params["y"])
        return 1.0 / (1.0 + np.exp(-m))

    def to_dict(self) -> dict:
        return {"kind": self.kind, "params": self.params}

    @classmethod
    def from_dict(cls, d: dict) -> Calibrator:
        return cls(d["kind"], d.get("params", {}))


def fit(kind: str, margin: np.ndarray, y: np.ndarray) -> Calibrator:
    """Fit a calibrator of ``kind`` to raw margins and 0/1 outcomes."""
    margin, y = np.asarray(margin, float), np.asarray(y, int)
    if len(np.unique(y)) < 2:
        return Calibrator("identity")
    if kind == "platt":
        lr = LogisticRegression(C=1e4).fit(margin.reshape(-1, 1), y)
        return Calibrator("platt", {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])})
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.005, y_max=0.995).fit(margin, y)
    return Calibrator("isotonic", {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()})


def cross_fitted(
    kind: str,
    margin: np.ndarray,
    y: np.ndarray,
    folds: int = 2,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold calibrated probabilities: each fold is calibrated by a fit on the others.

    With ``groups`` (e.g. the deal id of each row), folds are drawn per group, so the rows of one
    deal never sit on both sides of a fold.
    """
    margin, y = np.asarray(margin, float), np.asarray(y, int)
    if groups is None:
        fold = np.random.default_rng(seed).integers(0, folds, len(y))
    else:
        _, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
        fold = np.random.default_rng(seed).integers(0, folds, codes.max() + 1 if len(codes) else 0)[codes]
    out = np.empty(len(y))
    for k in range(folds):
        test = fold == k
        out[test] = fit(kind, margin[~test], y[~test])(margin[test])
    return out


def choose(
    margin: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None
) -> tuple[Calibrator, np.ndarray, dict[str, float]]:
    """Pick isotonic or Platt by cross-fitted Brier score on the calibration window's rows.

    Folds are grouped by ``groups`` (the deal id) when given. Returns the chosen calibrator fitted
    on all the rows, its out-of-fold probabilities and the Brier score of each candidate.
    """
    scores, oof = {}, {}
    for kind in ("platt", "isotonic"):
        oof[kind] = cross_fitted(kind, margin, y, groups=groups)
        scores[kind] = float(brier_score_loss(y, oof[kind])) if len(y) else float("nan")
    best = min(scores, key=lambda k: (np.nan_to_num(scores[k], nan=9.0), k != "platt"))
    return fit(best, margin, y), oof[best], scores
