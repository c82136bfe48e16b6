"""Deal risk: a documented 0-100 score, expected loss, value at risk this period, and the risk list.

Risk score (docs/deals-and-forecast.md)::

    risk = 100 x (0.50 x (1 - p_win) + 0.20 x stagnation + 0.20 x slippage + 0.10 x value)

* ``p_win``: the served win probability (the model's, or the baseline that beat it);
* ``stagnation`` (0-1): days in the current stage over twice the typical (median) days deals
  spend in that stage, capped at 1; without a history table, deal age over 365 days;
* ``slippage`` (0-1): the largest of pushes / 3, days pushed / 90, and 1 if the close date has
  passed;
* ``value`` (0-1): amount / (amount + the median won deal), 0.5 for a median-sized deal.

Every weight is positive and every component rises with what it measures, so the score is
monotone: it never falls when the win probability falls or a deal stalls, slips or grows.

Money at stake, in the units people use:

* ``expected_loss = (1 - p_win) x amount``: what the deal is expected to lose, whenever it closes;
* ``value_at_risk = P(close in period | win) x (1 - p_win) x amount``: the part of that loss
  falling in the period (by default the quarter after the as-of date), from the time-to-close
  distribution. The list is ranked by it: big, doubtful deals due this period first.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import model as win_model
from revintel.deals.explain import ExplanationCache
from revintel.deals.playbook import actions
from revintel.deals.scoring import finite, open_deals
from revintel.memo import remember

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

WEIGHTS = {"win": 0.50, "stagnation": 0.20, "slippage": 0.20, "value": 0.10}
SHOWN = (
    "opportunity_id",
    "name",
    "account",
    "rep",
    "region",
    "team",
    "product",
    "stage",
    "amount",
    "close_date",
)


def components(deals: pd.DataFrame, card: win_model.ModelCard) -> pd.DataFrame:
    """The four risk components (each 0-1) per deal."""
    typical = deals["stage"].map(card.stage_days).astype(float) if card.stage_days else np.nan
    stag = (deals["days_in_stage"] / (2 * typical)).where(deals["days_in_stage"].notna() & pd.notna(typical))
    stag = stag.fillna(deals["age_days"] / 365.0).fillna(0).clip(0, 1)
    slip = np.maximum.reduce(
        [
            (deals["n_pushes"].fillna(0) / 3).clip(0, 1).to_numpy(),
            (deals["push_days"].fillna(0) / 90).clip(0, 1).to_numpy(),
            (deals["days_to_close"] < 0).astype(float).to_numpy(),
        ]
    )
    amount = deals["amount"].fillna(0).clip(lower=0)
    med = card.median_won_amount or float(amount.median() or 1.0)
    return pd.DataFrame(
        {
            "win": 1 - deals["p_win"],
            "stagnation": stag,
            "slippage": slip,
            "value": amount / (amount + med),
        },
        index=deals.index,
    )


def score(
    deals: pd.DataFrame, card: win_model.ModelCard, in_period: np.ndarray | None = None
) -> pd.DataFrame:
    """``deals`` with ``risk`` (0-100), the components, ``expected_loss`` and ``value_at_risk``.

    Args:
        deals: scored open deals (``p_win`` and features).
        card: the model card (stage norms, median won amount).
        in_period: P(close in the period | win) per deal; ``value_at_risk`` is 0 without it.
    """
    comp = components(deals, card)
    out = deals.copy()
    out["risk"] = 100 * sum(WEIGHTS[k] * comp[k] for k in WEIGHTS)
    for k in WEIGHTS:
        out[f"risk_{k}"] = comp[k]
    out["expected_loss"] = (1 - out["p_win"]) * out["amount"].fillna(0)
    q = np.zeros(len(out)) if in_period is None else np.asarray(in_period, float)
    out["p_close_in_period"] = q
    out["value_at_risk"] = q * out["expected_loss"]
    return out


def _record(row: pd.Series) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in SHOWN:
        v = row.get(c)
        if isinstance(v, pd.Timestamp):
            v = v.date().isoformat()
        elif isinstance(v, float | np.floating):
            v = finite(v)
        elif v is not None and pd.isna(v):
            v = None
        out[c] = v
    out["p_win"] = float(row["p_win"])
    out["risk"] = round(float(row["risk"]), 1)
    out["risk_components"] = {k: round(float(row[f"risk_{k}"]), 3) for k in WEIGHTS}
    out["expected_loss"] = float(row["expected_loss"])
    out["p_close_in_period"] = float(row["p_close_in_period"])
    out["value_at_risk"] = float(row["value_at_risk"])
    out["n_pushes"] = finite(row.get("n_pushes"))
    out["days_in_stage"] = finite(row.get("days_in_stage"))
    return out


def risk_list(
    rt: Runtime,
    scope: Scope,
    as_of: dt.date | None = None,
    top: int = 20,
    filters: Mapping[str, Any] | None = None,
    explain: bool = True,
) -> dict[str, Any]:
    """Open deals in ``scope`` ranked by value at risk this period, the top ones with drivers and actions.

    Args:
        rt: the runtime.
        scope: the caller's scope.
        as_of: the date treated as today.
        top: how many deals to return.
        filters: equality filters on shown columns (``region``, ``stage``, ``rep`` ...), and
            ``min_risk`` / ``min_amount``.
        explain: compute TreeSHAP drivers for the returned deals (cached).

    The result is kept beside the runtime per data version, models, scope and arguments
    (:mod:`revintel.memo`): the risk list and the Deals page read it on every visit.
    """
    as_of = as_of or rt.as_of()
    key = (repr(scope.to_dict()), as_of, top, repr(sorted((filters or {}).items())), explain)
    kept = remember(rt, "risk list", key, lambda: _risk_list(rt, scope, as_of, top, filters, explain))
    return copy.deepcopy(kept)  # callers may change what they were given


def _risk_list(
    rt: Runtime,
    scope: Scope,
    as_of: dt.date,
    top: int,
    filters: Mapping[str, Any] | None,
    explain: bool,
) -> dict[str, Any]:
    from revintel.deals.horizon import period_probabilities, resolve_period

    model = win_model.ensure(rt, as_of)
    period = resolve_period(None, as_of, rt.settings.fiscal_year_start_month)
    open_ = open_deals(rt, scope, as_of)
    deals = score(open_, model.card, period_probabilities(model, open_, period, as_of))
    for key, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if key in ("min_risk", "min_amount"):
            deals = deals[deals["risk" if key == "min_risk" else "amount"] >= float(value)]
        elif key in deals.columns:
            deals = deals[deals[key].astype(str) == str(value)]
    ranked = deals.sort_values(
        ["value_at_risk", "expected_loss", "opportunity_id"], ascending=[False, False, True]
    )
    shown = ranked.head(top)
    rows = [_record(r) for _, r in shown.iterrows()]
    if explain and len(shown):
        signal = model.signal()
        cache = ExplanationCache(win_model.models_root(rt) / model.card.version, str(as_of))
        for row, drv, (_, deal) in zip(rows, cache.get(model, shown), shown.iterrows(), strict=True):
            row["drivers"] = drv
            row["next_actions"] = actions(deal.to_dict(), drv["negative"], signal=signal)
    return {
        "as_of": as_of.isoformat(),
        "model": model.card.version,
        "model_words": model.card.describe(),
        "count": len(deals),
        "total_amount": float(deals["amount"].fillna(0).sum()),
        "total_expected_loss": float(deals["expected_loss"].sum()),
        "total_value_at_risk": float(deals["value_at_risk"].sum()),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "deals": rows,
    }
