"""Per-deal drivers in the units people see: points of the win probability the deal shows.

LightGBM's ``pred_contrib=True`` gives exact TreeSHAP contributions ``c_j`` to the raw log-odds,
from the model's base margin ``b`` (its average deal) to this deal's margin ``m = b + sum c_j``.
The page shows calibrated probabilities, so contributions are carried to that scale: with
``p0 = calibrator(b)`` (the base rate) and ``p = calibrator(m)`` (the probability shown), each
feature's effect is ``c_j x (p - p0) / (m - b)``. The calibrator is monotone, so every effect keeps
its sign, and the effects add up exactly to ``p - p0``: from the base rate to this deal.

When the card serves a baseline instead of the booster (the booster did not beat it), the drivers
are the baseline's own: the deal's age for the age-only model, the CRM probability for the CRM
baseline, none for the base rate. TreeSHAP costs about a millisecond per deal here, so
explanations are computed on demand and cached in ``explanations-<as_of>.json`` beside the model.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revintel import format as fmt_mod
from revintel.deals.model import WinModel


def _n(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


CATEGORICAL_TEXT = ("product", "tier", "sector", "region", "deal_type", "lead_source")


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
        "amount_log": lambda: f"Deal size {fmt_mod.money(row.get('amount'))}",
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


def _driver(name: str, row: pd.Series, effect: float, log_odds: float | None) -> dict[str, Any]:
    return {"feature": name, "text": describe(name, row), "effect": float(effect), "log_odds": log_odds}


def contributions(
    model: WinModel, deals: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Per deal: effects on the shown probability (n x features), the base rate, the probability and
    the raw TreeSHAP log-odds (``None`` when a baseline is served).

    Effects of each row sum to ``probability - base``. With a baseline served, only the feature that
    baseline uses has an effect.
    """
    names = model.card.features
    p = model.predict(deals)
    if model.card.selected != "model" and model.card.fallback:
        fb = model.baseline()
        base = np.full(len(deals), float(fb.params.get("rate", p.mean() if len(p) else 0.0)))
        effects = np.zeros((len(deals), len(names)))
        used = {"age_logistic": "age_days", "crm_stage": "crm_probability"}.get(fb.kind)
        if used in names:
            effects[:, names.index(used)] = p - base
        return effects, base, p, None
    contrib = model.contributions(deals)
    bias = contrib[:, -1]
    moved = contrib[:, : len(names)]
    margin = bias + moved.sum(axis=1)
    base = np.clip(model.calibrator(bias), 0.0, 1.0)
    span = margin - bias
    ratio = np.divide(p - base, span, out=np.zeros_like(span), where=np.abs(span) > 1e-9)
    return moved * ratio[:, None], base, p, moved


def drivers(model: WinModel, deals: pd.DataFrame, top: int = 3) -> list[dict[str, Any]]:
    """Top positive and negative drivers per deal (row order of ``deals``), in probability points.

    Each driver is ``{"feature", "text", "effect", "log_odds"}``: ``effect`` in points of the
    shown win probability (``-0.08``: this factor takes 8 points off it); ``log_odds`` the exact
    TreeSHAP contribution (``None`` for a baseline). Each deal also carries ``base_rate``,
    ``probability`` and ``other`` (the effects not listed), so that ``base_rate`` + every listed
    effect + ``other`` = ``probability``.
    """
    if deals.empty:
        return []
    effects, base, p, raw = contributions(model, deals)
    names = model.card.features
    out = []
    for i in range(len(deals)):
        row = deals.iloc[i]
        order = np.argsort(effects[i])
        pos = [j for j in order[::-1] if effects[i, j] > 1e-6][:top]
        neg = [j for j in order if effects[i, j] < -1e-6][:top]
        lo = (lambda j, i=i: float(raw[i, j])) if raw is not None else (lambda j: None)
        shown = [*pos, *neg]
        out.append(
            {
                "positive": [_driver(names[j], row, effects[i, j], lo(j)) for j in pos],
                "negative": [_driver(names[j], row, effects[i, j], lo(j)) for j in neg],
                "base_rate": float(base[i]),
                "probability": float(p[i]),
                "other": float(effects[i].sum() - effects[i, shown].sum()),
            }
        )
    return out


class ExplanationCache:
    """Drivers per deal id, persisted as JSON beside the model for one as-of date."""

    def __init__(self, folder: Path, as_of: str):
        self.path = folder / f"explanations-{as_of}.json"
        self._data: dict[str, Any] | None = None
        # one map shared by the request threads, written whole under this lock: two threads each
        # loading their own map, or replacing the file out of order, lost the other's drivers
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        with self._lock:
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
            with self._lock:
                data.update({ids[i]: d for i, d in zip(missing, fresh, strict=True)})
                if self.path.parent.exists():
                    # a file per writer: processes computing drivers side by side each replace the
                    # cache whole; a shared ".tmp" name made one of them fail (a 500)
                    tmp = self.path.with_name(f"{self.path.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
                    tmp.write_text(json.dumps(data))
                    tmp.replace(self.path)
        return [data[d] for d in ids]
