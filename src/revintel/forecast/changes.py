"""Pipeline changes between two dates: a waterfall that reconciles, and slippage alerts.

The pipeline on a date is the open deals expected to close on or before the *horizon* (default:
the end of the quarter after the one holding the ``to`` date: this quarter's and next quarter's
pipeline). Between ``from`` and ``to`` every deal moves
the pipeline through exactly these steps::

    start + created + increased - decreased + pulled_in - pushed_out - won - lost = end

* ``created``: deals that did not exist on ``from`` and entered the pipeline;
* ``pulled_in`` / ``pushed_out``: existing deals whose close date moved inside / beyond the horizon;
* ``increased`` / ``decreased``: amount changes of deals in the pipeline;
* ``won`` / ``lost``: deals closed in the window, at their closing amount.

Slippage alerts list the deals whose close date was pushed at least ``min_pushes`` times or by
at least ``min_days`` days in total within the window.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from revintel.deals.data import DIMENSIONS, load_frames
from revintel.deals.features import prepare_history, state_as_of
from revintel.deals.horizon import resolve_period
from revintel.errors import InvalidRequest
from revintel.forecast.rollup import check_dimension

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

STEPS = ("start", "created", "increased", "decreased", "pulled_in", "pushed_out", "won", "lost", "end")
_SIGN = {
    "created": 1,
    "increased": 1,
    "decreased": -1,
    "pulled_in": 1,
    "pushed_out": -1,
    "won": -1,
    "lost": -1,
}


def _flows(s1: pd.DataFrame, s2: pd.DataFrame, horizon: pd.Timestamp) -> pd.DataFrame:
    """Per deal, its contribution to each waterfall step (positive amounts; signs in ``_SIGN``)."""
    cols = ["opportunity_id", "status", "amount", "close_date"]
    s1, s2 = (  # an empty scope (a filter with no deals) still has typed columns
        s.reindex(columns=[*s.columns, *(c for c in cols if c not in s.columns)]).astype(
            {"close_date": "datetime64[ns]", "amount": "float64"}
        )
        for s in (s1, s2)
    )
    m = s2[cols].merge(s1[cols], on="opportunity_id", how="left", suffixes=("", "_1"))
    a1, a2 = m["amount_1"].fillna(0).astype(float), m["amount"].fillna(0).astype(float)
    existed = m["status_1"].notna()
    open1 = m["status_1"].eq("open")
    in1 = open1 & ~(m["close_date_1"] > horizon)
    in2 = m["status"].eq("open") & ~(m["close_date"] > horizon)
    closed_now = m["status"].isin(["won", "lost"]) & (~existed | open1)
    out2 = m["status"].eq("open") & (m["close_date"] > horizon)
    entered = ~in1 & (in2 | closed_now)
    entry = np.where(in1, a1, np.where(entered, np.where(existed & open1, a1, a2), 0.0))
    f = pd.DataFrame({"opportunity_id": m["opportunity_id"], "start": np.where(in1, a1, 0.0)})
    f["created"] = np.where(entered & ~existed, entry, 0.0)
    f["pulled_in"] = np.where(entered & existed, entry, 0.0)
    active = in1 | entered
    final = np.where(closed_now | in2 | out2, a2, entry)
    change = np.where(active, final - entry, 0.0)
    f["increased"], f["decreased"] = np.maximum(change, 0), np.maximum(-change, 0)
    f["pushed_out"] = np.where(active & out2, a2, 0.0)
    f["won"] = np.where(active & closed_now & m["status"].eq("won"), a2, 0.0)
    f["lost"] = np.where(active & closed_now & m["status"].eq("lost"), a2, 0.0)
    f["end"] = np.where(in2, a2, 0.0)
    return f


def _slips(prepared: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    h = prepared[(prepared["snapshot_date"] > lo) & (prepared["snapshot_date"] <= hi)]
    # compare each row in the window with the deal's previous snapshot, even one before the window
    prev = prepared.groupby("opportunity_id")["close_date"].shift().loc[h.index]
    delta = (h["close_date"] - prev).dt.days
    return (
        pd.DataFrame(
            {
                "opportunity_id": h["opportunity_id"],
                "pushes": (delta > 0).astype(int),
                "days": delta.where(delta > 0, 0).fillna(0),
            }
        )
        .groupby("opportunity_id")
        .sum()
    )


def pipeline_changes(
    rt: Runtime,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    horizon: dt.date | None = None,
    min_pushes: int = 2,
    min_days: int = 30,
) -> dict[str, Any]:
    """The pipeline waterfall from ``start`` to ``end`` within ``scope`` and its slippage alerts.

    Raises:
        InvalidRequest: ``end`` before ``start`` or an unknown dimension.
    """
    check_dimension(by)
    if end < start:
        raise InvalidRequest(f"--to {end} is before --from {start}", hint="give the earlier date as --from")
    horizon = horizon or resolve_period("next quarter", end, rt.settings.fiscal_year_start_month).end
    frames = load_frames(rt, scope)
    prepared = prepare_history(frames.history)
    lo, hi, hz = pd.Timestamp(start), pd.Timestamp(end), pd.Timestamp(horizon)
    s1, s2 = state_as_of(frames, lo, prepared), state_as_of(frames, hi, prepared)
    flows = _flows(s1, s2, hz)
    dims = frames.opps.set_index("opportunity_id")
    key = (
        dims[by].reindex(flows["opportunity_id"]).fillna("(unknown)").astype(str).to_numpy()
        if by
        else np.full(len(flows), "total")
    )
    rows = []
    for k, grp in flows.groupby(key):
        rows.append({"key": k, **{s: float(grp[s].sum()) for s in STEPS}})
    rows.sort(key=lambda r: -r["start"] - r["end"])
    total = {"key": "total", **{s: float(flows[s].sum()) for s in STEPS}}
    for r in [*rows, total]:
        r["reconciles"] = bool(abs(r["start"] + sum(_SIGN[s] * r[s] for s in _SIGN) - r["end"]) < 0.01)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "horizon": horizon.isoformat(),
        "by": by,
        "total": total,
        "rows": rows if by else [total],
        "alerts": slippage_alerts(prepared, s2, lo, hi, by, min_pushes, min_days),
        "history": frames.has_history,
    }


def slippage_alerts(
    prepared: pd.DataFrame,
    s2: pd.DataFrame,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    by: str | None,
    min_pushes: int,
    min_days: int,
) -> dict[str, Any]:
    """Deals pushed ``min_pushes`` times or by ``min_days`` days in ``(lo, hi]``, with counts by ``by``."""
    slips = _slips(prepared, lo, hi) if len(prepared) else pd.DataFrame(columns=["pushes", "days"])
    hit = slips[(slips["pushes"] >= min_pushes) | (slips["days"] >= min_days)]
    state = s2.set_index("opportunity_id")
    deals = []
    for oid, r in hit.sort_values(["days", "pushes"], ascending=False).iterrows():
        s = state.loc[oid] if oid in state.index else None
        close = s["close_date"] if s is not None else None
        deals.append(
            {
                "opportunity_id": oid,
                "name": None if s is None else s.get("name"),
                "status": None if s is None else s.get("status"),
                "amount": None if s is None else float(s.get("amount") or 0.0),
                "close_date": None
                if close is None or pd.isna(close)
                else pd.Timestamp(close).date().isoformat(),
                "pushes": int(r["pushes"]),
                "days_pushed": int(r["days"]),
                **{d: (None if s is None or pd.isna(s.get(d)) else str(s.get(d))) for d in DIMENSIONS},
            }
        )
    groups: dict[str, dict[str, float]] = {}
    for d in deals:
        k = str(d.get(by) or "(unknown)") if by else "total"
        g = groups.setdefault(k, {"deals": 0, "amount": 0.0})
        g["deals"] += 1
        g["amount"] += d["amount"] or 0.0
    return {
        "min_pushes": min_pushes,
        "min_days": min_days,
        "count": len(deals),
        "by": [{"key": k, **v} for k, v in sorted(groups.items(), key=lambda kv: -kv[1]["amount"])],
        "deals": deals,
    }
