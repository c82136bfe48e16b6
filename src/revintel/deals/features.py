"""Leak-free, as-of features for open deals.

:func:`state_as_of` rebuilds every deal as it stood on a date ``T`` from the history snapshots
taken on or before ``T`` (never after); :func:`features_as_of` adds the features the win model
uses, each computed only from information dated on or before ``T``:

* the deal's own history up to ``T``: stage and days in stage, age, close-date pushes (count and
  days), pull-ins, amount change since creation, the CRM probability, days to the expected close;
* activity: conversations in the 30 days before ``T`` and days since the last one;
* track records as of ``T``: the rep's, product's and account's win rates over deals *closed
  before* ``T`` (smoothed towards the overall rate);
* static attributes: product, tier, sector, region, deal type, lead source, a named competitor.

Deals without history rows (e.g. maven, which has no history table) are rebuilt from their
dates alone: open from their engage/created date until their close date. Their stage, amount
and expected close date at ``T`` are unknown (the current values would leak the outcome), so
those features are missing and the product's list price stands in for the amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.deals.data import DealFrames
from revintel.warehouse.schema import STAGE_ORDER

NUMERIC = (
    "stage_idx",
    "age_days",
    "days_in_stage",
    "days_to_close",
    "n_pushes",
    "push_days",
    "n_pullins",
    "amount_log",
    "amount_change",
    "crm_probability",
    "conv_30d",
    "days_since_conv",
    "rep_win_rate",
    "rep_closed",
    "product_win_rate",
    "account_win_rate",
    "account_won_before",
    "has_competitor",
)
CATEGORICAL = ("product", "tier", "sector", "region", "deal_type", "lead_source")
FEATURES = NUMERIC + CATEGORICAL
#: Features derived from a source column: a leak found in one drops the whole family (leakage.py).
LINEAGE = {
    "account_id": ("sector", "tier", "account_win_rate", "account_won_before"),
    "rep_id": ("rep_win_rate", "rep_closed"),
    "product_id": ("product", "product_win_rate"),
    "competitor": ("has_competitor",),
}
_PRIOR = 5.0  # pseudo-deals pulling a track record towards the overall win rate


def prepare_history(hist: pd.DataFrame) -> pd.DataFrame:
    """Add running per-deal columns (pushes, pull-ins, stage start, first amount) to history rows.

    Each value on a row depends only on that row and the deal's earlier rows, so taking the last
    row on or before ``T`` gives the value as of ``T``.
    """
    h = hist.sort_values(["opportunity_id", "snapshot_date"]).reset_index(drop=True)
    g = h.groupby("opportunity_id", sort=False)
    prev_close = g["close_date"].shift()
    delta = (h["close_date"] - prev_close).dt.days
    h["push"] = (delta > 0).astype(int)
    h["push_d"] = delta.where(delta > 0, 0).fillna(0)
    h["pullin"] = (delta < 0).astype(int)
    h["n_pushes"] = h.groupby("opportunity_id", sort=False)["push"].cumsum()
    h["push_days"] = h.groupby("opportunity_id", sort=False)["push_d"].cumsum()
    h["n_pullins"] = h.groupby("opportunity_id", sort=False)["pullin"].cumsum()
    changed = h["stage"].ne(g["stage"].shift())
    h["stage_start"] = h["snapshot_date"].where(changed)
    h["stage_start"] = h.groupby("opportunity_id", sort=False)["stage_start"].ffill()
    h["first_amount"] = g["amount"].transform("first")
    h["first_close"] = g["close_date"].transform("first")
    return h.drop(columns=["push", "push_d", "pullin"])


def _created(opps: pd.DataFrame) -> pd.Series:
    created = opps["created_date"] if "created_date" in opps else pd.Series(pd.NaT, index=opps.index)
    if "engage_date" in opps:
        created = created.fillna(opps["engage_date"])
    return created


def state_as_of(frames: DealFrames, when: pd.Timestamp, prepared: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every deal that existed on ``when``, as it stood then (status, stage, amount, close date)."""
    when = pd.Timestamp(when)
    opps = frames.opps
    created = _created(opps)
    static = opps.drop(
        columns=[c for c in ("stage", "status", "amount", "close_date", "probability") if c in opps.columns]
    ).assign(created=created)
    static["final_status"] = opps["status"].to_numpy()
    static["final_close"] = opps["close_date"].to_numpy()
    parts = []
    h = prepared if prepared is not None else prepare_history(frames.history)
    with_hist = set(h["opportunity_id"].unique())
    if len(h):
        last = h[h["snapshot_date"] <= when].groupby("opportunity_id", sort=False).tail(1)
        parts.append(static.merge(last.drop(columns=["source"], errors="ignore"), on="opportunity_id"))
    rest = static[~static["opportunity_id"].isin(with_hist)].copy()
    if len(rest):
        parts.append(_state_without_history(rest, opps, when, frames.data_as_of))
    out = pd.concat(parts, ignore_index=True) if parts else static.iloc[0:0]
    out = out.reset_index(drop=True)
    if frames.data_as_of is not None and when >= frames.data_as_of and len(out):
        out = _current_rows_win(out, opps)
    return out


def _current_rows_win(state: pd.DataFrame, opps: pd.DataFrame) -> pd.DataFrame:
    """On or after the data's as-of date the opportunity rows are the deals' state (history is weekly
    and may lag them by days): open deals take their current stage, amount and close date, so the
    risk list and the forecast total the same open pipeline as the governed metric."""
    cols = [c for c in ("stage", "amount", "close_date", "probability") if c in opps.columns and c in state]
    now = opps[opps["status"] == "open"].set_index("opportunity_id")[cols]
    is_open = (state["status"] == "open") & state["opportunity_id"].isin(now.index)
    ids = state.loc[is_open, "opportunity_id"]
    for c in cols:
        state.loc[is_open, c] = now[c].reindex(ids).to_numpy()
    return state


def _state_without_history(
    rest: pd.DataFrame, opps: pd.DataFrame, when: pd.Timestamp, data_as_of: pd.Timestamp | None
) -> pd.DataFrame:
    exists_from = rest["created"].fillna(data_as_of if data_as_of is not None else pd.Timestamp.max)
    rest = rest[exists_from <= when].copy()
    closed = rest["final_status"].isin(["won", "lost"]) & (rest["final_close"] <= when)
    rest["status"] = np.where(closed, rest["final_status"], "open")
    stage = np.where(rest["final_status"] == "won", "Closed Won", "Closed Lost")
    rest["stage"] = pd.Series(stage, index=rest.index).where(closed)
    amount = opps.set_index("opportunity_id")["amount"].reindex(rest["opportunity_id"]).to_numpy()
    price = rest["list_price"].to_numpy(dtype=float) if "list_price" in rest else np.full(len(rest), np.nan)
    rest["amount"] = np.where(np.isnan(price), amount, price)
    rest["close_date"] = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
    rest["close_date"] = rest["close_date"].where(~closed, rest["final_close"])
    rest["probability"] = np.nan
    rest["snapshot_date"] = pd.NaT
    return rest


def _track_record(
    closed: pd.DataFrame, key: str, keys: pd.Series, overall: float
) -> tuple[np.ndarray, np.ndarray]:
    if key not in closed or closed.empty:
        return np.full(len(keys), overall), np.zeros(len(keys))
    agg = closed.groupby(key)["won"].agg(["sum", "count"])
    wins = keys.map(agg["sum"]).fillna(0).to_numpy(float)
    n = keys.map(agg["count"]).fillna(0).to_numpy(float)
    return (wins + _PRIOR * overall) / (n + _PRIOR), n


def features_as_of(
    frames: DealFrames, when: pd.Timestamp, prepared: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Deals open on ``when`` with the model's features as of ``when`` (one row per deal)."""
    when = pd.Timestamp(when)
    state = state_as_of(frames, when, prepared)
    open_ = state[state["status"] == "open"].copy().reset_index(drop=True)
    f = open_
    f["stage_idx"] = f["stage"].map(STAGE_ORDER).astype(float)
    f["age_days"] = (when - f["created"]).dt.days.astype(float)
    f["days_in_stage"] = (when - f["stage_start"]).dt.days.astype(float) if "stage_start" in f else np.nan
    f["days_to_close"] = (f["close_date"] - when).dt.days.astype(float)
    for col in ("n_pushes", "push_days", "n_pullins"):
        f[col] = f[col].astype(float) if col in f else np.nan
    f["amount"] = f["amount"].astype(float)
    f["amount_log"] = np.log1p(f["amount"].clip(lower=0))
    if "first_amount" in f:
        first = f["first_amount"].astype(float)
        f["amount_change"] = f["amount"] / first.where(first > 0) - 1
    else:
        f["amount_change"] = np.nan
    f["crm_probability"] = f["probability"].astype(float)
    conv = frames.conversations
    past = conv[conv["occurred_at"] <= when]
    recent = past[past["occurred_at"] > when - pd.Timedelta(days=30)].groupby("opportunity_id").size()
    last_conv = past.groupby("opportunity_id")["occurred_at"].max()
    f["conv_30d"] = f["opportunity_id"].map(recent).fillna(0).astype(float)
    last = pd.to_datetime(pd.Series(last_conv.reindex(f["opportunity_id"]).to_numpy(), index=f.index))
    f["days_since_conv"] = (when - last).dt.days.astype(float)
    if conv.empty:
        f["conv_30d"] = np.nan
    _add_track_records(f, frames, when)
    f["has_competitor"] = (
        f["competitor"].fillna("").astype(str).str.len().gt(0).astype(float) if "competitor" in f else np.nan
    )
    for col in CATEGORICAL:
        if col not in f:
            f[col] = None
    return f


def _add_track_records(f: pd.DataFrame, frames: DealFrames, when: pd.Timestamp) -> None:
    opps = frames.opps
    closed = opps[opps["status"].isin(["won", "lost"]) & (opps["close_date"] <= when)].copy()
    closed["won"] = (closed["status"] == "won").astype(float)
    overall = float(closed["won"].mean()) if len(closed) else 0.5
    f["rep_win_rate"], f["rep_closed"] = _track_record(
        closed, "rep_id", f.get("rep_id", pd.Series()), overall
    )
    f["product_win_rate"], _ = _track_record(closed, "product_id", f.get("product_id", pd.Series()), overall)
    f["account_win_rate"], n_acct = _track_record(
        closed, "account_id", f.get("account_id", pd.Series()), overall
    )
    won = closed[closed["won"] == 1].groupby("account_id").size() if "account_id" in closed else pd.Series()
    f["account_won_before"] = f["account_id"].map(won).fillna(0).astype(float) if "account_id" in f else 0.0
    del n_acct


def label_horizon(frames: DealFrames, cutoff: pd.Timestamp) -> int:
    """Days within which a win counts (the label ``won within H days``): the 90th percentile cycle
    time (created to close) of deals won by ``cutoff``, between 91 (a quarter) and 270 days."""
    o = frames.opps
    won = o[(o["status"] == "won") & (o["close_date"] <= cutoff)]
    cycle = (won["close_date"] - _created(won)).dt.days.dropna()
    return int(np.clip(cycle.quantile(0.9), 91, 270)) if len(cycle) else 180


def labelled_snapshots(
    frames: DealFrames,
    dates: list[pd.Timestamp],
    label_cutoff: pd.Timestamp,
    prepared: pd.DataFrame | None = None,
    horizon: int | None = None,
) -> pd.DataFrame:
    """Features at each date in ``dates``, labelled *won within ``horizon`` days* as of ``label_cutoff``.

    A row is labelled when its outcome is known by the cutoff: ``won = 1`` if the deal was won in
    ``(date, min(date + horizon, cutoff)]``; ``won = 0`` if it was lost by the cutoff, or was not
    won within the horizon and the horizon ended by the cutoff. A deal still open at the cutoff
    whose horizon runs past it is *censored*: left out, never guessed as lost. ``outcome`` says
    how the deal stood at the cutoff (``won``, ``lost`` or ``open``) for the leakage audit, and
    ``closed`` whether it had closed (for the AUC among deals that closed).
    """
    prepared = prepared if prepared is not None else prepare_history(frames.history)
    horizon = horizon or label_horizon(frames, label_cutoff)
    out, censored = [], 0
    for when in dates:
        f = features_as_of(frames, when, prepared)
        end = min(pd.Timestamp(when) + pd.Timedelta(days=horizon), label_cutoff)
        closed = (
            f["final_status"].isin(["won", "lost"])
            & (f["final_close"] > when)
            & (f["final_close"] <= label_cutoff)
        )
        horizon_over = pd.Timestamp(when) + pd.Timedelta(days=horizon) <= label_cutoff
        censored += int((~(closed | horizon_over)).sum())
        f = f[closed | horizon_over].copy()
        closed = closed[f.index]
        f["won"] = ((f["final_status"] == "won") & (f["final_close"] <= end)).astype(int)
        f["closed"] = closed.to_numpy()
        f["outcome"] = np.where(closed, f["final_status"], "open")
        f["snapshot"] = pd.Timestamp(when)
        out.append(f)
    rows = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=[*FEATURES, "won"])
    rows.attrs["n_censored"] = censored
    return rows
