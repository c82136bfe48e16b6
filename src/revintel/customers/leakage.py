"""Leakage audit of the churn features.

Two checks, each reported on the model card:

* **after the cutoff**: for a sample of training cutoffs, every input row dated on or after the cutoff
  is removed and the features recomputed; a feature that changes read the future and is dropped.
* **outcome-pure**: a single feature that on its own ranks churners with AUC >= 0.98 on the training
  rows is almost certainly a consequence of churn (an end date, a cancelled status) and is dropped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from revintel.customers.data import CustomerFrames

PURE_AUC = 0.98
SAMPLE_CUTOFFS = 4
#: Rows checked per sampled cutoff, at most.
SAMPLE_ROWS = 400


def before(frames: CustomerFrames, cutoff: pd.Timestamp) -> CustomerFrames:
    """``frames`` as they stood the day before ``cutoff`` (nothing dated on or after it)."""
    s = frames.subs[frames.subs["start_date"] < cutoff].copy()
    later = s["end_date"] >= cutoff
    s.loc[later, "end_date"] = pd.NaT
    s.loc[later, "status"] = "active"
    s.loc[later, "churn_reason"] = None
    u = frames.usage[frames.usage["month"] + pd.offsets.MonthBegin(1) <= cutoff]
    t = frames.tickets[frames.tickets["created_date"] < cutoff]
    c = frames.conversations[frames.conversations["occurred_at"] < cutoff]
    return dataclasses.replace(frames, subs=s, usage=u, tickets=t, conversations=c, as_of=cutoff)


def after_cutoff(frames: CustomerFrames, rows: pd.DataFrame, columns: list[str]) -> dict[str, int]:
    """How many sampled rows each feature changed on when the future was removed."""
    from revintel.customers.churn import _frame  # the same feature code the model uses

    changed: dict[str, int] = {}
    cutoffs = rows["cutoff"].drop_duplicates().sort_values()
    picks = cutoffs.iloc[np.linspace(0, len(cutoffs) - 1, min(SAMPLE_CUTOFFS, len(cutoffs))).astype(int)]
    products = [None] * sum(c.startswith("owns_") for c in columns)
    for cutoff in picks:
        sample = rows[rows["cutoff"] == cutoff][["account_id", "cutoff", "renewal_date"]]
        if len(sample) > SAMPLE_ROWS:  # the check's cost must not grow with the book
            sample = sample.sample(SAMPLE_ROWS, random_state=0)
        prods = _products(frames, len(products))
        full = _frame(frames, sample, prods)
        past = _frame(before(frames, cutoff), sample, prods)
        for c in columns:
            a, b = full[c].to_numpy(float), past[c].to_numpy(float)
            diff = ~((a == b) | (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, equal_nan=True))
            changed[c] = changed.get(c, 0) + int(diff.sum())
    return changed


def _products(frames: CustomerFrames, n: int) -> list[str]:
    from revintel.customers.features import product_list

    return product_list(frames)[:n]


def audit(frames: CustomerFrames, rows: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Findings (feature, check, detail, action) for ``columns`` of the training ``rows``."""
    from sklearn.metrics import roc_auc_score

    out: list[dict[str, Any]] = []
    if frames.dated and len(rows):
        for c, n in after_cutoff(frames, rows, columns).items():
            if n:
                out.append(
                    {
                        "feature": c,
                        "check": "after the cutoff",
                        "action": "dropped",
                        "detail": f"changed on {n} sampled rows when later data was removed",
                    }
                )
    y = rows["churned"].to_numpy()
    if len(np.unique(y)) == 2:
        for c in columns:
            v = rows[c].astype(float)
            if v.nunique() < 2:
                continue
            auc = roc_auc_score(y, v.fillna(v.median()))
            auc = max(auc, 1 - auc)
            if auc >= PURE_AUC:
                out.append(
                    {
                        "feature": c,
                        "check": "outcome-pure",
                        "action": "dropped",
                        "detail": f"alone ranks churners with AUC {auc:.3f}",
                    }
                )
    if not out:
        out.append(
            {
                "feature": None,
                "check": "after the cutoff and outcome-pure",
                "action": "none",
                "detail": f"no leak found in {len(columns)} features",
            }
        )
    return out
