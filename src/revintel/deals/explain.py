"""Per-deal drivers from TreeSHAP: what pushes a deal's win probability up or down, in plain words.

LightGBM's ``pred_contrib=True`` gives exact TreeSHAP contributions to the raw log-odds; drivers
are ranked and signed by them. Each is also shown in probability points: the model's probability
with every contribution minus the one without this feature's (on the booster's own scale, before
calibration, which can be a step function and would hide small effects). TreeSHAP costs about a
millisecond per deal here, so explanations are computed on demand (a deal page, the top of the
risk list) and cached in ``explanations-<as_of>.json`` beside the model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revintel.deals.model import WinModel


def _n(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


CATEGORICAL_TEXT = ("product", "tier", "sector", "region", "deal_type", "lead_source")


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, float)))


def _plural(n: float, word: str) -> str:
    return f"{n:.0f} {word}{'' if round(n) == 1 else 's'}"


def describe(feature: str, row: pd.Series) -> str:
    """A plain-language statement of one feature's value for one deal."""
    v = _n(row.get(feature))
    raw = row.get(feature)
    if feature in CATEGORICAL_TEXT:
        missing = raw is None or bool(pd.isna(raw)) or raw == ""
    else:
        missing = math.isnan(v)
    texts = {
        "stage_idx": lambda: f"At the {row.get('stage')} stage",
        "age_days": lambda: f"Open for {_plural(v, 'day')}",
        "days_in_stage": lambda: f"{_plural(v, 'day')} in {row.get('stage')}",
        "days_to_close": lambda: (
            f"Close date passed {_plural(-v, 'day')} ago"
            if v < 0
            else f"Expected to close in {_plural(v, 'day')}"
        ),
        "n_pushes": lambda: (
            "Close date never pushed" if v == 0 else f"Close date pushed {_plural(v, 'time')}"
        ),
        "push_days": lambda: "No slippage" if v == 0 else f"Slipped {_plural(v, 'day')} in total",
        "n_pullins": lambda: "Never pulled in" if v == 0 else f"Close date pulled in {_plural(v, 'time')}",
        "amount_log": lambda: f"Deal size {_n(row.get('amount')):,.0f}",
        "amount_change": lambda: (
            "Amount unchanged since creation"
            if abs(v) < 0.005
            else f"Amount {'up' if v > 0 else 'down'} {abs(v):.0%} since creation"
        ),
        "crm_probability": lambda: f"CRM probability {v:.0%}",
        "conv_30d": lambda: (
            "No conversations in the last 30 days"
            if v == 0
            else f"{_plural(v, 'conversation')} in the last 30 days"
        ),
        "days_since_conv": lambda: f"Last conversation {_plural(v, 'day')} ago",
        "rep_win_rate": lambda: (
            f"Owner's win rate {v:.0%} ({_plural(_n(row.get('rep_closed')), 'closed deal')})"
        ),
        "rep_closed": lambda: f"Owner has closed {_plural(v, 'deal')}",
        "product_win_rate": lambda: f"{row.get('product') or 'Product'} wins {v:.0%} of closed deals",
        "account_win_rate": lambda: f"Account win rate {v:.0%}",
        "account_won_before": lambda: (
            "No earlier wins with this account"
            if v == 0
            else f"{_plural(v, 'earlier deal')} won with this account"
        ),
        "has_competitor": lambda: (
            f"Competing against {row.get('competitor')}" if v > 0 else "No named competitor"
        ),
    }
    if missing:
        if feature == "days_since_conv":
            return "No recorded conversations"
        return f"{feature.replace('_', ' ').capitalize()} unknown"
    if feature in texts:
        return texts[feature]()
    return f"{feature.replace('_', ' ').capitalize()}: {row.get(feature)}"


def drivers(model: WinModel, deals: pd.DataFrame, top: int = 3) -> list[dict[str, list[dict[str, Any]]]]:
    """Top positive and negative drivers per deal (row order of ``deals``).

    Each driver is ``{"feature", "text", "effect", "log_odds"}``: ``effect`` in probability points
    (e.g. ``-0.08``: this factor lowers the win probability by about 8 points), ``log_odds`` the
    exact TreeSHAP contribution.
    """
    if deals.empty:
        return []
    contrib = model.contributions(deals)
    margin = contrib.sum(axis=1)
    names = model.card.features
    out = []
    for i in range(len(deals)):
        row = deals.iloc[i]
        effects = _sigmoid(margin[i]) - _sigmoid(margin[i] - contrib[i, : len(names)])
        order = np.argsort(effects)
        pos = [j for j in order[::-1] if contrib[i, j] > 1e-6][:top]
        neg = [j for j in order if contrib[i, j] < -1e-6][:top]
        out.append(
            {
                "positive": [
                    {
                        "feature": names[j],
                        "text": describe(names[j], row),
                        "effect": float(effects[j]),
                        "log_odds": float(contrib[i, j]),
                    }
                    for j in pos
                ],
                "negative": [
                    {
                        "feature": names[j],
                        "text": describe(names[j], row),
                        "effect": float(effects[j]),
                        "log_odds": float(contrib[i, j]),
                    }
                    for j in neg
                ],
            }
        )
    return out


class ExplanationCache:
    """Drivers per deal id, persisted as JSON beside the model for one as-of date."""

    def __init__(self, folder: Path, as_of: str):
        self.path = folder / f"explanations-{as_of}.json"
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            try:
                self._data = json.loads(self.path.read_text()) if self.path.exists() else {}
            except (OSError, ValueError):
                self._data = {}
        return self._data

    def get(self, model: WinModel, deals: pd.DataFrame, top: int = 3) -> list[dict[str, Any]]:
        """Drivers for ``deals`` (row order), computing only the ones not cached yet."""
        data = self._load()
        ids = deals["opportunity_id"].astype(str).tolist()
        missing = [i for i, d in enumerate(ids) if d not in data]
        if missing:
            fresh = drivers(model, deals.iloc[missing], top)
            data.update({ids[i]: d for i, d in zip(missing, fresh, strict=True)})
            if self.path.parent.exists():
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(data))
                tmp.replace(self.path)
        return [data[d] for d in ids]
