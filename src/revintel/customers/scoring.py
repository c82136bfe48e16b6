"""Every live customer scored for its next renewal: P(churn), ARR at risk, health and rules.

The churn model is trained on every customer (a firm-wide model, like the win model); the rows a
caller sees are read under its scope (:func:`revintel.customers.data.load_frames`). Scores are cached
per data version and scope.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from revintel.customers import churn, health
from revintel.customers.data import CustomerFrames, load_frames, read
from revintel.customers.features import next_renewals
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

_lock = threading.Lock()
_cache: dict[tuple, pd.DataFrame] = {}
_models: dict[tuple, churn.ChurnModel] = {}


def model(rt: Runtime) -> churn.ChurnModel:
    """The churn model for the current data (trained once per data version, then loaded)."""
    key = (str(rt.settings.home), rt.semantic.data_version())
    with _lock:
        if key not in _models:
            _models[key] = churn.ensure(rt, load_frames(rt, Scope.everything()))
        return _models[key]


def live_rows(frames: CustomerFrames, days_ago: int = 0, live: pd.DataFrame | None = None) -> pd.DataFrame:
    """Live customers (``live``: :func:`next_renewals`, computed when not given) with the cutoff their
    features are read at (the day after as-of, minus ``days_ago``)."""
    live = next_renewals(frames) if live is None else live
    cutoff = frames.as_of + pd.Timedelta(days=1 - days_ago) if frames.dated else frames.as_of
    return live.assign(cutoff=cutoff)


def score_frames(frames: CustomerFrames, m: churn.ChurnModel, weights: dict[str, float]) -> pd.DataFrame:
    """Scores for the live customers of ``frames``."""
    rows = live_rows(frames)
    if rows.empty:
        return rows.assign(p_churn=[], arr_at_risk=[], health=[], rules=[])
    n = len(rows)
    if frames.dated:  # today's features and those 90 days ago (the health trend) in one pass
        both = churn._frame(
            frames,
            pd.concat(
                [rows, live_rows(frames, health.TREND_DAYS, rows.drop(columns="cutoff"))], ignore_index=True
            ),
            m.products,
        )
        f, then = both.iloc[:n].copy(), both.iloc[n:].reset_index(drop=True)
    else:
        f, then = churn._frame(frames, rows, m.products), None
    f["p_churn"] = m.predict(f)
    f["days_left"] = (f["renewal_date"] - frames.as_of).dt.days
    f["arr_at_risk"] = f["p_churn"] * f["arr"]
    comp = health.components(f)
    f[[f"health_{c}" for c in comp.columns]] = comp.to_numpy()
    f["health"] = health.score(comp, weights)
    if then is not None:
        f = pd.concat([f, health.trend(comp, health.components(then), weights)], axis=1)
    else:
        f = f.assign(health_change=np.nan, moved_by=None, moved_points=np.nan)
    f["rules"] = health.rules_all(f)
    return f.sort_values(["arr_at_risk", "account_id"], ascending=[False, True]).reset_index(drop=True)


def scored_all(rt: Runtime) -> pd.DataFrame:
    """Every live customer scored once per data version (a system job; callers narrow by scope)."""
    key = (str(rt.settings.home), rt.semantic.data_version(), rt.settings.health_weights)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    m = model(rt)
    out = score_frames(load_frames(rt, Scope.everything()), m, health.weights(rt.settings.health_weights))
    with _lock:
        _cache[key] = out
    return out


def scored(rt: Runtime, scope: Scope) -> pd.DataFrame:
    """The scored live customers ``scope`` may see: the firm-wide scores (so a customer's figures are
    the same for every reader) kept for the customers the scoped subscriptions table admits."""
    frame = scored_all(rt)
    if scope.unrestricted:
        return frame
    ids = set(read(rt, "subscriptions", scope, ("account_id",))["account_id"])
    return frame[frame["account_id"].isin(ids)].reset_index(drop=True)


def forget(rt: Runtime) -> None:
    """Drop this home's cached models and scores (after a retrain)."""
    home = str(rt.settings.home)
    with _lock:
        for d in (_cache, _models):
            for k in [k for k in d if k[0] == home]:
                del d[k]
