"""The churn estimator: LightGBM and a logistic regression averaged on the log-odds, then calibrated.

LightGBM finds thresholds and interactions (a usage fall *and* negative tickets); the logistic
regression extrapolates smoothly where data is thin (tens of churn events on the demo). Their mean
log-odds is mapped to a probability by a Platt calibrator fitted on rows neither model was fitted on.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from revintel.customers.features import CATEGORICAL
from revintel.deals import compiled

LOG_COLUMNS = ("tenure_months", "arr", "seats", "days_since_exec", "days_since_contact", "lifetime_arr")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class Design:
    """How feature frames become a numeric matrix: numeric columns plus one-hot categories."""

    numeric: list[str]
    categories: dict[str, list[str]]

    @classmethod
    def of(cls, frame: pd.DataFrame, numeric: list[str]) -> Design:
        cats = {c: sorted(frame[c].astype(str).unique().tolist()) for c in CATEGORICAL if c in frame.columns}
        return cls([c for c in numeric if c in frame.columns], cats)

    def matrix(self, frame: pd.DataFrame, logs: bool = False) -> np.ndarray:
        numeric, log_cols, cats = self._parts(frame, logs)
        return _stack(numeric + log_cols + cats, len(frame))

    def matrices(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The matrix without and with the log columns, from one conversion of the frame's columns."""
        numeric, log_cols, cats = self._parts(frame, True)
        return _stack(numeric + cats, len(frame)), _stack(numeric + log_cols + cats, len(frame))

    def _parts(self, frame: pd.DataFrame, logs: bool) -> tuple[list[np.ndarray], ...]:
        numeric = [frame[c].astype(float).to_numpy() for c in self.numeric]
        log_cols = (
            [np.log1p(np.maximum(frame[c].astype(float).to_numpy(), 0)) for c in LOG_COLUMNS if c in frame]
            if logs
            else []
        )
        cats = []
        for c, values in self.categories.items():
            v = frame[c].astype(str).to_numpy()
            cats += [(v == x).astype(float) for x in values]
        return numeric, log_cols, cats


def _stack(cols: list[np.ndarray], rows: int) -> np.ndarray:
    return np.column_stack(cols) if cols else np.zeros((rows, 0))


@dataclass
class Estimator:
    """A fitted blend; ``predict`` gives calibrated churn probabilities."""

    design: Design
    booster: lgb.Booster | None = None
    logistic: Pipeline | None = None
    platt: tuple[float, float] = (1.0, 0.0)
    parts: tuple[str, ...] = ("lightgbm", "logistic")
    extra: dict[str, Any] = field(default_factory=dict)

    def margin(self, frame: pd.DataFrame) -> np.ndarray:
        """The blended log-odds before calibration (large frames through the compiled trees, when the
        saved model has them: :func:`compile_trees`)."""
        logits = []
        x, x_logs = self.design.matrices(frame)
        if self.booster is not None:
            fast = _compiled(self.extra.get("compiled"), len(x))
            logits.append(
                compiled.raw_scores(fast, x, 1)
                if fast is not None
                else self.booster.predict(x, raw_score=True)
            )
        if self.logistic is not None:
            logits.append(_logit(self.logistic.predict_proba(x_logs)[:, 1]))
        return np.mean(logits, axis=0)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        a, b = self.platt
        return 1 / (1 + np.exp(-(a * self.margin(frame) + b)))


def compile_trees(est: Estimator, folder: Path) -> None:
    """Compile ``est``'s trees with lleaves under ``folder`` (named by the trees' content, so a retrained
    model never loads another's library); later large scorings use them. Nothing happens when lleaves
    is unavailable or fails: LightGBM scores instead."""
    if est.booster is None:
        return
    text = est.booster.model_to_string()
    where = folder / f"trees-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    where.mkdir(parents=True, exist_ok=True)
    if not (where / "model.txt").exists():
        tmp = where / f"model.{os.getpid()}.txt"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(where / "model.txt")
    if compiled.compiled(where) is not None:
        est.extra["compiled"] = str(where)


def _compiled(folder: str | None, rows: int) -> Any | None:
    if folder is None or rows < compiled.MIN_ROWS:
        return None
    return compiled.compiled(Path(folder), build=False)


def fit_booster(x: np.ndarray, y: np.ndarray) -> lgb.Booster:
    """A small, regularised LightGBM (few leaves: churn events are scarce)."""
    events = int(y.sum())
    params = {
        "objective": "binary",
        "learning_rate": 0.03,
        "num_leaves": 6,
        "min_data_in_leaf": max(5, min(40, events // 3)),
        "feature_fraction": 0.7,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 5.0,
        "verbose": -1,
        "num_threads": 1,
        "seed": 7,
        "deterministic": True,
    }
    return lgb.train(params, lgb.Dataset(x, y), num_boost_round=250)


class MedianImputer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Missing values filled with their column's median (0 for a column with none): what
    ``SimpleImputer(strategy="median", keep_empty_features=True)`` computes, without its masked-array
    median (6 of 50 s of training at 100,000 customers)."""

    def fit(self, x: np.ndarray, y: Any = None) -> MedianImputer:
        x = np.asarray(x, dtype=float)
        with warnings.catch_warnings():  # a column with no value at all: its median is 0
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)
        self.statistics_ = np.where(np.isnan(med), 0.0, med)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=float)
        rows, cols = np.nonzero(np.isnan(x))
        x[rows, cols] = self.statistics_[cols]
        return x


def fit_logistic(x: np.ndarray, y: np.ndarray) -> Pipeline:
    """Median-imputed, standardised, L2-regularised logistic regression."""
    model = make_pipeline(
        MedianImputer(),
        StandardScaler(),
        LogisticRegression(C=0.1, max_iter=2000),
    )
    return model.fit(x, y)


def fit_platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (a logistic regression on the margin) fitted on held-out rows."""
    if len(np.unique(y)) < 2:
        return (1.0, 0.0)
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(margin.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def fit(
    design: Design, train: pd.DataFrame, y: np.ndarray, parts: tuple[str, ...] = ("lightgbm", "logistic")
) -> Estimator:
    """Fit the parts on ``train`` (uncalibrated: call :func:`calibrate` on other rows)."""
    est = Estimator(design, parts=parts)
    if "lightgbm" in parts:
        est.booster = fit_booster(design.matrix(train), y)
    if "logistic" in parts:
        est.logistic = fit_logistic(design.matrix(train, logs=True), y)
    return est


def calibrate(est: Estimator, rows: pd.DataFrame, y: np.ndarray) -> Estimator:
    """Fit the Platt calibrator on ``rows`` (held out from fitting)."""
    est.platt = fit_platt(est.margin(rows), y)
    return est


def fit_cross_calibrated(
    design: Design,
    rows: pd.DataFrame,
    y: np.ndarray,
    parts: tuple[str, ...] = ("lightgbm", "logistic"),
    folds: int = 3,
) -> Estimator:
    """Fit on every row of ``rows``; the calibrator is fitted on out-of-fold margins (inner k-fold)."""
    from sklearn.model_selection import StratifiedKFold

    margin = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=11).split(rows, y):
        margin[te] = fit(design, rows.iloc[tr], y[tr], parts).margin(rows.iloc[te])
    est = fit(design, rows, y, parts)
    est.platt = fit_platt(margin, y)
    return est
