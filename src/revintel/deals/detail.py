"""One deal's page: its state, win probability, risk, drivers, next actions, time to close, timeline."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals import model as win_model
from revintel.deals.data import DealFrames, load_frames, scoped
from revintel.deals.explain import ExplanationCache
from revintel.deals.features import state_as_of
from revintel.deals.playbook import actions
from revintel.deals.risk import WEIGHTS, score
from revintel.deals.scoring import finite, open_deals
from revintel.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope


def _iso(v: Any) -> Any:
    if isinstance(v, pd.Timestamp | dt.datetime):
        return None if pd.isna(v) else v.date().isoformat()
    if isinstance(v, float | np.floating):
        return finite(v)
    if v is not None and not isinstance(v, str | int | bool) and pd.isna(v):
        return None
    return v


def _timeline(rt: Runtime, scope: Scope, deal_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    """History snapshots where something changed, and conversations, up to ``as_of``."""
    t = scoped(rt, "opportunity_history", scope)
    h = rt.warehouse.execute(
        t.filter(t.opportunity_id == deal_id).select(
            "snapshot_date", "stage", "status", "amount", "close_date"
        )
    )
    h = h[pd.to_datetime(h["snapshot_date"]) <= pd.Timestamp(as_of)].sort_values("snapshot_date")
    cols = ["stage", "amount", "close_date"]
    changed = h[cols].ne(h[cols].shift()).any(axis=1) if len(h) else pd.Series(dtype=bool)
    events = []
    for _, r in h[changed].iterrows():
        events.append(
            {
                "date": _iso(pd.Timestamp(r["snapshot_date"])),
                "kind": "snapshot",
                "stage": r["stage"],
                "amount": finite(r["amount"]),
                "close_date": _iso(pd.Timestamp(r["close_date"])),
            }
        )
    try:
        c = scoped(rt, "conversations", scope)
        conv = rt.warehouse.execute(
            c.filter(c.opportunity_id == deal_id).select("occurred_at", "channel", "subject")
        )
    except Forbidden:  # the scope cannot be applied to conversations: the caller sees none of them
        conv = pd.DataFrame(columns=["occurred_at", "channel", "subject"])
    for _, r in conv.iterrows():
        when = pd.Timestamp(r["occurred_at"])
        if when <= pd.Timestamp(as_of) + pd.Timedelta(days=1):
            events.append(
                {
                    "date": when.date().isoformat(),
                    "kind": r["channel"] or "conversation",
                    "subject": r["subject"],
                }
            )
    return sorted(events, key=lambda e: e["date"])


def _state_then(frames: DealFrames, deal_id: str, as_of: dt.date) -> dict[str, Any]:
    """Stage, status, amount and close date as they stood on ``as_of`` (never later values)."""
    one = DealFrames(
        frames.opps[frames.opps["opportunity_id"] == deal_id],
        frames.history[frames.history["opportunity_id"] == deal_id],
        frames.conversations.iloc[0:0],
        frames.dataset,
        frames.data_as_of,
    )
    state = state_as_of(one, pd.Timestamp(as_of))
    if state.empty:
        return {"status": "not yet created", "stage": None, "amount": None, "close_date": None}
    row = state.iloc[0]
    return {k: _iso(row.get(k)) for k in ("status", "stage", "amount", "close_date")}


def deal_detail(rt: Runtime, scope: Scope, deal_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Everything the deal page shows, for a deal the scope may see.

    Raises:
        NotFound: no such deal, or not visible to ``scope`` (the two are not told apart).
    """
    as_of = as_of or rt.as_of()
    frames = load_frames(rt, scope)
    rows = frames.opps[frames.opps["opportunity_id"] == deal_id]
    if rows.empty:
        raise NotFound(f"no deal {deal_id!r} in your scope", hint="see `revintel deals risk` for deal ids")
    base = rows.iloc[0]
    out: dict[str, Any] = {
        k: _iso(base.get(k))
        for k in (
            "opportunity_id",
            "name",
            "account",
            "rep",
            "team",
            "region",
            "product",
            "stage",
            "status",
            "amount",
            "close_date",
            "created_date",
            "deal_type",
            "lead_source",
            "competitor",
            "next_step",
        )
    }
    out["as_of"] = as_of.isoformat()
    out["timeline"] = _timeline(rt, scope, deal_id, as_of)
    model = win_model.ensure(rt, as_of)
    deals = open_deals(rt, scope, as_of)
    deal = deals[deals["opportunity_id"] == deal_id]
    if deal.empty:  # closed (or not yet created) on the as-of date: no prediction to make
        out.update({"open": False, "p_win": None, "risk": None, "drivers": None, "next_actions": []})
        out.update(_state_then(frames, deal_id, as_of))
        return out
    scored = score(deal, model.card).iloc[0]
    drv = ExplanationCache(win_model.models_root(rt) / model.card.version, str(as_of)).get(model, deal)[0]
    q = model.timing.quantiles(deal)[0]
    out.update(
        {
            "open": True,
            "stage": scored["stage"],
            "amount": finite(scored["amount"]),
            "close_date": _iso(scored["close_date"]),
            "p_win": float(scored["p_win"]),
            "risk": round(float(scored["risk"]), 1),
            "risk_components": {k: round(float(scored[f"risk_{k}"]), 3) for k in WEIGHTS},
            "expected_loss": float(scored["expected_loss"]),
            "drivers": drv,
            "next_actions": actions(scored.to_dict(), drv["negative"], signal=model.signal()),
            "time_to_close": {
                f"p{int(p * 100)}": None if np.isnan(d) else (as_of + dt.timedelta(days=int(d))).isoformat()
                for p, d in zip((0.1, 0.5, 0.9), q, strict=True)
            },
            "features": {k: _iso(scored.get(k)) for k in model.card.features},
            "model": model.card.version,
            "model_words": model.card.describe(),
        }
    )
    return out
