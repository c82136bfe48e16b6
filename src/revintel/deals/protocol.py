"""The evaluation protocol: time-ordered train → calibration → test windows, baselines, forward test.

With ``D`` the as-of date and a window length ``h`` (a quarter of the history, 60-180 days):

* **train**: deals open on ~32 snapshot dates up to ``S1 = D - 2h``, labelled with outcomes known by
  ``S1``; LightGBM learns from these rows only;
* **calibration**: deals open on dates in ``[S1, S2 = D - h)``, labelled with outcomes known by
  ``S2``; the calibrator (Platt or isotonic, chosen by folds grouped by deal) is fitted here only;
* **test**: deals open on dates in ``[S2, D)``, labelled with outcomes known by ``D``; every
  reported metric, the model's and the baselines', comes from these rows.

Snapshot dates stop a settle time before each window's label cutoff. Labels are *won within H
days* (:func:`revintel.deals.features.labelled_snapshots`): deals still open at the cutoff whose
horizon has not ended are censored (left out, counted in ``n_censored``), never labelled lost.

The **forward test** scores the deals open on ``D`` and compares them with what happened next,
when the data runs past ``D`` (e.g. maven as of 2017-09-30, data to 2017-12-31).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import metrics
from revintel.deals.baselines import Fallback
from revintel.deals.data import DealFrames
from revintel.errors import InvalidRequest

if TYPE_CHECKING:
    from collections.abc import Callable

MIN_FORWARD_DAYS = 30


@dataclass
class Windows:
    """Snapshot dates of the three windows and the dates between them."""

    train: list[pd.Timestamp]
    calibration: list[pd.Timestamp]
    test: list[pd.Timestamp]
    s1: pd.Timestamp
    s2: pd.Timestamp

    def describe(self, as_of: pd.Timestamp) -> dict[str, str]:
        def day(t: pd.Timestamp) -> str:
            return str(pd.Timestamp(t).date())

        return {
            "first_snapshot": day(self.train[0]) if self.train else "",
            "split": day(self.s1),
            "calibration_start": day(self.s1),
            "test_start": day(self.s2),
            "last_holdout_snapshot": day(self.test[-1]),
            "labels_known_by": day(as_of),
        }


def windows(frames: DealFrames, as_of: pd.Timestamp, settle: int) -> Windows:
    """The three windows for training as of ``as_of``.

    Raises:
        InvalidRequest: less than 150 days of deal history before ``as_of``.
    """
    o = frames.opps
    created = o["created_date"].fillna(o["engage_date"]) if "engage_date" in o else o["created_date"]
    start = created[created <= as_of].min()
    if pd.isna(start) or (as_of - start).days < 150:
        raise InvalidRequest(
            f"not enough deal history before {as_of.date()} to train a win model",
            hint="train with a later --as-of date, or load more opportunities",
        )
    span = (as_of - start).days
    h = int(min(180, max(60, span // 4)))
    s2 = as_of - pd.Timedelta(days=h)
    s1 = s2 - pd.Timedelta(days=h)
    lag = pd.Timedelta(days=min(settle, h // 2))
    step = max(7, (s1 - start).days // 32)
    train = list(pd.date_range(start + pd.Timedelta(days=step), s1 - lag, freq=f"{step}D"))
    every = f"{max(7, h // 12)}D"
    cal = list(pd.date_range(s1, s2 - lag, freq=every)) or [s1]
    test = list(pd.date_range(s2, as_of - lag, freq=every)) or [s2]
    return Windows(train, cal, test, s1, s2)


def scores(p: np.ndarray, rows: pd.DataFrame, reference_rate: float | None = None) -> dict[str, Any]:
    """The metrics of predictions ``p`` on labelled rows."""
    closed = rows["closed"].to_numpy(bool) if "closed" in rows else None
    return metrics.summary(p, rows["won"].to_numpy(int), reference_rate, closed)


def compare(
    predict: Callable[[pd.DataFrame], np.ndarray],
    fallbacks: dict[str, Fallback | None],
    rows: pd.DataFrame,
    reference_rate: float,
) -> tuple[dict[str, Any], dict[str, dict[str, Any] | None]]:
    """Metrics of the model and of every baseline on the same rows."""
    model = scores(predict(rows), rows, reference_rate)
    base: dict[str, dict[str, Any] | None] = {}
    for name, fb in fallbacks.items():
        if fb is None:
            base[name] = None
            continue
        s = scores(fb(rows), rows, reference_rate)
        base[name] = {k: v for k, v in s.items() if k != "reliability"}
    return model, base


def best_baseline(baselines: dict[str, dict[str, Any] | None]) -> str:
    """The baseline with the lowest Brier score."""
    ok = {k: v["brier"] for k, v in baselines.items() if v is not None and np.isfinite(v["brier"])}
    return min(ok, key=lambda k: ok[k]) if ok else "base_rate"


def forward_test(
    predict: Callable[[pd.DataFrame], np.ndarray],
    fallbacks: dict[str, Fallback | None],
    labelled: Callable[[list[pd.Timestamp], pd.Timestamp], pd.DataFrame],
    frames: DealFrames,
    as_of: pd.Timestamp,
    reference_rate: float,
) -> dict[str, Any]:
    """Deals open on ``as_of`` scored against what happened to them after it, where the data shows it."""
    end = frames.data_as_of
    if end is None or (end - as_of).days < MIN_FORWARD_DAYS:
        return {"available": False, "reason": "the data ends at the as-of date: nothing happened next yet"}
    rows = labelled([as_of], end)
    if len(rows) < 30 or rows["won"].nunique() < 2:
        return {"available": False, "reason": "too few open deals had an outcome after the as-of date"}
    model, base = compare(predict, fallbacks, rows, reference_rate)
    model.pop("reliability", None)
    return {
        "available": True,
        "outcomes_known_by": str(end.date()),
        "n": len(rows),
        "model": model,
        "baselines": base,
    }
