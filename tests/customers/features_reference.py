"""The customer features as first written (pandas joins on the account id strings), kept as the oracle
that the faster :mod:`revintel.customers.features` must match value for value (tests/customers/
test_features.py). Not used by the package."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from revintel.customers.data import CustomerFrames
from revintel.customers.features import NEGATIVE, executive_names, product_list

__all__ = ["features", "product_list"]


def _month_index(s: pd.Series) -> pd.Series:
    return s.dt.year * 12 + s.dt.month - 1


def _month_lookup(u: pd.DataFrame, rows: pd.DataFrame) -> Callable[[int, str], pd.Series]:
    """``at(k, col)``: for each row, ``col`` of its account's usage ``k`` months before the cutoff's
    month (summed when a month has several rows; NaN when there is none). A hash lookup per row, so the
    cost does not grow with the length of the history."""
    accounts = pd.Index(u["account_id"].unique())
    um = _month_index(u["month"]).to_numpy(np.int64)
    ukey = accounts.get_indexer(u["account_id"]).astype(np.int64) * 100_000 + um
    cols = ["active_users", "licensed_seats", "events"]
    vals = u[cols].astype(float)
    if pd.Index(ukey).has_duplicates:
        vals = vals.groupby(ukey).sum(min_count=1)
        ukey = vals.index.to_numpy()
    index = pd.Index(ukey)
    table = vals.to_numpy()
    code = accounts.get_indexer(rows["account_id"]).astype(np.int64)
    cm = _month_index(rows["cutoff"]).to_numpy(np.int64)

    def at(k: int, col: str) -> pd.Series:
        pos = index.get_indexer(code * 100_000 + cm - k)
        pos[code < 0] = -1
        v = np.where(pos >= 0, table[pos, cols.index(col)], np.nan)
        return pd.Series(v, index=rows.index, dtype=float)

    return at


def usage_features(frames: CustomerFrames, rows: pd.DataFrame) -> pd.DataFrame:
    """Usage level and trend against seats for each (account_id, cutoff) in ``rows``."""
    out = pd.DataFrame(index=rows.index)
    u = frames.usage
    if u.empty:
        return out.assign(
            users_per_seat=np.nan,
            users_trend_2m=np.nan,
            users_trend_3m=np.nan,
            users_trend_6m=np.nan,
            events_trend_3m=np.nan,
            seats=np.nan,
        )
    at = _month_lookup(u, rows)
    users1, users4, users7 = at(1, "active_users"), at(4, "active_users"), at(7, "active_users")
    out["users_trend_2m"] = users1 / at(3, "active_users").replace(0, np.nan) - 1
    seats1, ev1, ev4 = at(1, "licensed_seats"), at(1, "events"), at(4, "events")
    out["users_per_seat"] = users1 / seats1.replace(0, np.nan)
    out["users_trend_3m"] = users1 / users4.replace(0, np.nan) - 1
    out["users_trend_6m"] = users1 / users7.replace(0, np.nan) - 1
    out["events_trend_3m"] = ev1 / ev4.replace(0, np.nan) - 1
    out["seats"] = seats1
    return out


def ticket_features(frames: CustomerFrames, rows: pd.DataFrame) -> pd.DataFrame:
    """Ticket volume, priority and sentiment in the 90 days (and the year) before each cutoff."""
    out = pd.DataFrame(index=rows.index)
    t = frames.tickets
    r = rows[["account_id", "cutoff"]].assign(row=rows.index)
    m = (
        r.merge(t, on="account_id")
        if not t.empty
        else r.iloc[:0].assign(created_date=pd.NaT, sentiment=np.nan)
    )
    age = (m["cutoff"] - m["created_date"]).dt.days if not m.empty else pd.Series(dtype=float)
    m = m.assign(age=age)
    m = m[(m["age"] > 0) & (m["age"] <= 365)]
    recent, before = m[m["age"] <= 90], m[m["age"] > 90]
    pr = recent.get("priority", pd.Series(dtype=str)).astype(str).str.lower()
    out["tickets_90d"] = recent.groupby("row").size().reindex(rows.index).fillna(0).astype(float)
    urgent = recent[pr.isin(["high", "urgent"])] if not recent.empty else recent
    out["urgent_90d"] = urgent.groupby("row").size().reindex(rows.index).fillna(0).astype(float)
    s90 = recent.groupby("row")["sentiment"].mean().reindex(rows.index)
    s_before = before.groupby("row")["sentiment"].mean().reindex(rows.index)
    out["sentiment_90d"] = s90
    out["sentiment_change"] = s90 - s_before
    out["negative_run"] = negative_run(m, rows.index)
    return out


def negative_run(m: pd.DataFrame, index: pd.Index, last: int = 5) -> pd.Series:
    """Per row: how many of its latest tickets (up to ``last``) are negative, counted from the most
    recent backwards until the first one that is not."""
    if m.empty:
        return pd.Series(0.0, index=index)
    m = m.sort_values(["row", "age"], kind="stable")
    m = m[m.groupby("row").cumcount().to_numpy() < last]
    ok = (m["sentiment"] <= NEGATIVE).to_numpy()
    # a ticket counts when it and every more recent one of the same row are negative
    broken = pd.Series(~ok).groupby(m["row"].to_numpy()).cummax().to_numpy()
    run = pd.Series((~broken).astype(float)).groupby(m["row"].to_numpy()).sum()
    return run.reindex(index).fillna(0.0).astype(float)


def engagement_features(frames: CustomerFrames, rows: pd.DataFrame) -> pd.DataFrame:
    """Days since an executive took part, days since any contact, and meetings in 90 days."""
    out = pd.DataFrame(index=rows.index)
    cv = frames.conversations
    if cv.empty:
        return out.assign(days_since_exec=np.nan, days_since_contact=np.nan, meetings_90d=0.0)
    execs = executive_names(frames)
    people = cv["participants"].fillna("").str.lower().str.split(r";\s*")
    cv = cv.assign(exec=[bool(execs.intersection(p)) for p in people])
    r = rows[["account_id", "cutoff"]].assign(row=rows.index)
    m = r.merge(cv, on="account_id")
    m["age"] = (m["cutoff"] - m["occurred_at"].dt.normalize()).dt.days
    m = m[m["age"] > 0]
    out["days_since_contact"] = m.groupby("row")["age"].min().reindex(rows.index).astype(float)
    out["days_since_exec"] = m[m["exec"]].groupby("row")["age"].min().reindex(rows.index).astype(float)
    live = m[(m["age"] <= 90) & m["channel"].isin(["call", "meeting"])]
    out["meetings_90d"] = live.groupby("row").size().reindex(rows.index).fillna(0).astype(float)
    return out


def contract_features(frames: CustomerFrames, rows: pd.DataFrame, products: list[str]) -> pd.DataFrame:
    """Contract term, ARR, kind, age, discount, payment method and products owned at each cutoff."""
    s = frames.subs
    r = rows[["account_id", "cutoff"]].assign(row=rows.index)
    m = r.merge(s, on="account_id")
    started = m["start_date"] < m["cutoff"] if frames.dated else pd.Series(True, index=m.index)
    m = m[started]
    live = m[(m["end_date"].isna() | (m["end_date"] >= m["cutoff"]))] if frames.dated else m
    g = live.groupby("row")
    out = pd.DataFrame(index=rows.index)
    out["arr"] = g["arr"].sum().reindex(rows.index).fillna(0.0)
    out["lines"] = g.size().reindex(rows.index).fillna(0).astype(float)
    out["products"] = g["product_id"].nunique().reindex(rows.index).fillna(0).astype(float)
    first = m.groupby("row")["start_date"].min().reindex(rows.index)
    out["tenure_months"] = ((rows["cutoff"] - first).dt.days / 30.44).astype(float)
    if "term_months" in live.columns and live["term_months"].notna().any():
        out["term_months"] = g["term_months"].max().reindex(rows.index).astype(float)
    else:
        term = (live["renewal_date"] - live["start_date"]).dt.days / 30.44
        out["term_months"] = live.assign(t=term).groupby("row")["t"].max().reindex(rows.index).round()
    out["discount"] = g["discount"].mean().reindex(rows.index) if "discount" in live.columns else np.nan
    out["expansions"] = (
        m[m["kind"] == "expansion"].groupby("row").size().reindex(rows.index).fillna(0).astype(float)
    )
    out["renewals"] = (
        m[m["kind"] == "renewal"].groupby("row").size().reindex(rows.index).fillna(0).astype(float)
    )
    latest = live.sort_values("start_date").groupby("row").tail(1).set_index("row")
    out["kind"] = latest["kind"].reindex(rows.index).fillna("none").astype(str)
    if "payment_method" in live.columns:
        out["payment_method"] = latest["payment_method"].reindex(rows.index).fillna("unknown").astype(str)
    else:
        out["payment_method"] = "unknown"
    tier = latest["tier"] if "tier" in latest.columns else pd.Series(dtype=str)
    out["tier"] = tier.reindex(rows.index).fillna("unknown").astype(str)
    for i, p in enumerate(products):
        owned = live[live["product_id"] == p].groupby("row").size().reindex(rows.index).fillna(0)
        out[f"owns_{i}"] = (owned > 0).astype(float)
    return out


def features(frames: CustomerFrames, rows: pd.DataFrame, products: list[str]) -> pd.DataFrame:
    """All features for ``rows`` (columns ``account_id`` and ``cutoff``), index aligned with ``rows``."""
    rows = rows.reset_index(drop=True)
    parts = [
        usage_features(frames, rows),
        ticket_features(frames, rows),
        engagement_features(frames, rows),
        contract_features(frames, rows, products),
    ]
    made = {c for p in parts for c in p.columns}
    return pd.concat([rows.drop(columns=[c for c in rows.columns if c in made]), *parts], axis=1)
