"""Churn drivers on the probability scale, in words.

For one customer, each feature is set back to its typical value (the training median, or the most
common category) and the customer re-scored: the difference is how many points of churn probability
that feature adds (or removes). Cheap enough for the customers a page or list shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revintel import format as fmt
from revintel.customers.features import DESCRIPTIONS

SKIP = ("days_to_renewal", "lifetime_arr")
PERCENT = ("users_trend_3m", "users_trend_6m", "events_trend_3m", "discount")


def _value(feature: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "none on record"
    if feature in PERCENT:
        return f"{100 * float(v):+.0f}%"
    if feature == "users_per_seat":
        return f"{float(v):.2f}"
    if feature == "arr":
        return fmt.money(float(v))
    if feature == "sentiment_90d" or feature == "sentiment_change":
        return f"{float(v):+.2f} (-1 to 1)"
    if isinstance(v, float):
        return f"{v:,.0f}"
    return str(v)


def sentence(feature: str, row: pd.Series, typical: Any) -> str:
    """'active users per licensed seat is 0.31 (typical 0.74)'."""
    label = DESCRIPTIONS.get(feature, feature.replace("_", " "))
    return f"{label}: {_value(feature, row.get(feature))} (typical {_value(feature, typical)})"


def drivers(model: Any, rows: pd.DataFrame, top: int = 3) -> list[dict[str, list[dict[str, Any]]]]:
    """Per row of ``rows``: ``raising`` and ``lowering`` drivers, each {feature, text, points}."""
    if rows.empty:
        return []
    design = model.estimator.design
    names = [c for c in design.numeric if c not in SKIP and not c.startswith("owns_")] + list(
        design.categories
    )
    # only the columns the model reads, as the design reads them (floats and strings): one block of
    # ``rows`` per feature, that feature set to its typical value, scored in one call
    sub = rows[[*design.numeric, *design.categories]].reset_index(drop=True)
    sub = sub.astype({**dict.fromkeys(design.numeric, float), **dict.fromkeys(design.categories, object)})
    for c in design.categories:
        sub[c] = sub[c].astype(str)
    base = model.predict(sub)
    n = len(sub)
    stacked = sub.iloc[np.tile(np.arange(n), len(names))].reset_index(drop=True)
    for j, f in enumerate(names):
        stacked.loc[j * n : (j + 1) * n - 1, f] = model.medians.get(f)
    p_alt = model.predict(stacked).reshape(len(names), n)
    out = []
    for i in range(len(rows)):
        row = rows.iloc[i]
        effects = sorted(
            ((float(base[i] - p_alt[j, i]), f) for j, f in enumerate(names)), key=lambda e: -abs(e[0])
        )
        items = [
            {"feature": f, "points": round(100 * e, 1), "text": sentence(f, row, model.medians.get(f))}
            for e, f in effects
            if abs(e) >= 0.005
        ]
        out.append(
            {
                "raising": [d for d in items if d["points"] > 0][:top],
                "lowering": [d for d in items if d["points"] < 0][:top],
            }
        )
    return out
