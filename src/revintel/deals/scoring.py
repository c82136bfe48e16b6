"""Scored open deals as of a date, cached beside the model, shown through the caller's scope.

Scores are computed once per (model, as-of date) over every deal, so a deal has the same win
probability whoever looks at it, and written to ``scores-<as_of>.parquet`` in the model's folder
(deterministic, shared by every worker, dropped with the model when the data changes). Each
request then keeps only the deals its scope can see, read through the semantic layer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from revintel.deals import model as win_model
from revintel.deals.data import DealFrames, derived, load_frames
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

_KEEP = (
    "opportunity_id",
    "name",
    "account_id",
    "rep_id",
    "product_id",
    "stage",
    "amount",
    "close_date",
    "created",
    "deal_type",
    "lead_source",
    "competitor",
    "next_step",
    "final_status",
    "final_close",
)


def scored_deals(
    rt: Runtime, as_of: dt.date | None = None, model: win_model.WinModel | None = None
) -> pd.DataFrame:
    """Every deal open on ``as_of`` with its features, ``p_win`` and dimension columns (unscoped)."""
    as_of = as_of or rt.as_of()
    model = model or win_model.ensure(rt, as_of)
    path = win_model.models_root(rt) / model.card.version / f"scores-{as_of}.parquet"
    if path.exists():
        return pd.read_parquet(path)
    frames = load_frames(rt, Scope.everything())
    out = win_model.score(model, frames, as_of)
    out = out.drop(columns=[c for c in ("final_status", "final_close") if c in out.columns])
    if path.parent.exists():
        tmp = path.with_suffix(".tmp")
        out.to_parquet(tmp, index=False)
        tmp.replace(path)
    return out


def visible_ids(rt: Runtime, scope: Scope) -> set[str]:
    """Opportunity ids the scope may see (the semantic layer's scope filter on every opportunity)."""
    return set(derived(rt, "opportunities", scope)["opportunity_id"])


def open_deals(rt: Runtime, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """Scored deals open on ``as_of`` that ``scope`` may see.

    The scores are computed once for every deal; the scope's row filter is applied to their
    dimension columns by the semantic layer (:meth:`SemanticLayer.scope_rows`).
    """
    return rt.semantic.scope_rows(scored_deals(rt, as_of), "opportunities", scope)


def won_between(frames: DealFrames | pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Deals won with a close date in ``[start, end]`` (a win on or before ``end`` is known by ``end``).

    ``frames`` is a :class:`DealFrames` or its opportunities (e.g. :func:`revintel.deals.data.derived`).
    """
    o = frames.opps if isinstance(frames, DealFrames) else frames
    o = o.assign(close_date=pd.to_datetime(o["close_date"]).astype("datetime64[ns]"))
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    won = o[(o["status"] == "won") & (o["close_date"] >= lo) & (o["close_date"] <= hi)]
    return won.assign(amount=won["amount"].fillna(0.0).astype(float))


def finite(x: float | np.floating | None) -> float | None:
    """``x`` as a float, or None when missing."""
    return None if x is None or not np.isfinite(x) else float(x)
