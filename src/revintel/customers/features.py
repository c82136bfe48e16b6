"""Per-customer features as they stood on a date, and the renewal events models learn from.

A row is one customer at one *cutoff* (the day its features are read). Every input is cut at that
day: usage months that ended by then, tickets opened before it, conversations held before it, contract
lines started by it. ``leakage.after_cutoff`` checks that no feature changes when everything after the
cutoff is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from revintel.customers.data import CustomerFrames

#: Titles counted as executives on a call or meeting.
EXECUTIVE_WORDS = (
    "chief",
    "cfo",
    "ceo",
    "coo",
    "cio",
    "ciso",
    "cto",
    "vp",
    "vice president",
    "head of",
    "director",
)
_EXECUTIVES: dict[int, tuple[pd.DataFrame, set[str]]] = {}
#: How many of the most common products get an "owns ..." feature.
TOP_PRODUCTS = 12
#: Sentiment at or below this is a negative ticket.
NEGATIVE = -0.2
#: Numeric features and what they mean (the words drivers use).
DESCRIPTIONS = {
    "users_per_seat": "active users per licensed seat",
    "users_trend_2m": "change in active users over 60 days",
    "users_trend_3m": "change in active users over 3 months",
    "users_trend_6m": "change in active users over 6 months",
    "events_trend_3m": "change in usage events over 3 months",
    "seats": "licensed seats",
    "tickets_90d": "support tickets in the last 90 days",
    "urgent_90d": "high or urgent tickets in the last 90 days",
    "sentiment_90d": "ticket sentiment in the last 90 days",
    "sentiment_change": "change in ticket sentiment vs the year before",
    "negative_run": "negative tickets in a row",
    "days_since_exec": "days since an executive joined a call or meeting",
    "days_since_contact": "days since the last call, meeting or email",
    "meetings_90d": "calls and meetings in the last 90 days",
    "arr": "ARR",
    "term_months": "contract term in months",
    "tenure_months": "months as a customer",
    "lines": "contract lines",
    "products": "products owned",
    "expansions": "expansions so far",
    "renewals": "renewals so far",
    "discount": "discount",
}
CATEGORICAL = ("kind", "payment_method", "tier")
#: The subscription columns the contract features read.
CONTRACT_COLUMNS = (
    "start_date", "end_date", "renewal_date", "arr", "product_id", "kind", "term_months", "discount",
    "payment_method", "tier",
)  # fmt: skip


def _codes(table: pd.Series, rows: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the account ids in ``table`` and in ``rows`` (equal ids, equal codes)."""
    codes, _ = pd.factorize(pd.concat([table, rows], ignore_index=True), use_na_sentinel=False)
    return codes[: len(table)], codes[len(table) :]


def _beside(rows: pd.DataFrame, table: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Every row of ``table`` (only ``cols``) beside each row of ``rows`` of the same account, with the
    row's number (``row``) and ``cutoff``: an inner join on the account, in the order of ``rows`` and,
    within a row, of ``table``.

    Built from integer codes (the table's rows grouped by account with one stable sort, each row's
    matches a contiguous slice), carrying only the columns asked for, strings as Python objects: a
    pandas join on the string ids that carried every column as Arrow strings was most of the time of
    scoring 100,000 customers."""
    cols = [c for c in cols if c in table.columns and c not in ("account_id", "row", "cutoff")]
    right_codes, left_codes = _codes(table["account_id"], rows["account_id"])
    n_codes = int(max(right_codes.max(initial=-1), left_codes.max(initial=-1))) + 1
    order = np.argsort(right_codes, kind="stable")
    counts = np.bincount(right_codes, minlength=n_codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if n_codes else np.zeros(0, np.int64)
    per_row = counts[left_codes] if len(left_codes) else np.zeros(0, np.int64)
    left_idx = np.repeat(np.arange(len(rows)), per_row)
    # position of each match within its row's slice: 0, 1, ... per row
    first = np.repeat(np.cumsum(per_row) - per_row, per_row)
    right_idx = order[np.repeat(starts[left_codes], per_row) + np.arange(len(left_idx)) - first]
    out = {
        "cutoff": rows["cutoff"].to_numpy()[left_idx],
        "row": rows.index.to_numpy()[left_idx],
        **{c: table[c].to_numpy()[right_idx] for c in cols},
    }
    # strings stay Python objects (not converted back to Arrow: cheap to filter and take)
    return pd.DataFrame({c: pd.Series(v, dtype=object) if v.dtype == object else v for c, v in out.items()})


def _month_index(s: pd.Series) -> pd.Series:
    return s.dt.year * 12 + s.dt.month - 1


def _month_lookup(u: pd.DataFrame, rows: pd.DataFrame) -> Callable[[int, str], pd.Series]:
    """``at(k, col)``: for each row, ``col`` of its account's usage ``k`` months before the cutoff's
    month (summed when a month has several rows; NaN when there is none). A binary search per row over
    the sorted (account, month) keys, so the cost does not grow with the length of the history."""
    codes, code = _codes(u["account_id"], rows["account_id"])
    um = _month_index(u["month"]).to_numpy(np.int64)
    ukey = codes.astype(np.int64) * 100_000 + um
    cols = ["active_users", "licensed_seats", "events"]
    vals = u[cols].astype(float)
    # sorted keys, searched by bisection (a hash lookup per row and month cost 7x more at 100,000 customers)
    order = np.argsort(ukey, kind="stable")
    skey = ukey[order]
    if (skey[1:] == skey[:-1]).any():  # several rows for one account and month: their sum
        vals = vals.groupby(ukey).sum(min_count=1)
        skey, table = vals.index.to_numpy(), vals.to_numpy()
    else:
        table = vals.to_numpy()[order]
    code = np.where(code <= codes.max(initial=-1), code, -1).astype(np.int64)  # -1: no usage at all
    cm = _month_index(rows["cutoff"]).to_numpy(np.int64)

    def at(k: int, col: str) -> pd.Series:
        want = code * 100_000 + cm - k
        pos = np.minimum(np.searchsorted(skey, want), len(skey) - 1)
        hit = (skey[pos] == want) & (code >= 0)
        v = np.where(hit, table[pos, cols.index(col)], np.nan)
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
    if not t.empty and len(rows):  # only tickets some row can count (a year before its cutoff)
        window = (t["created_date"] > rows["cutoff"].min() - pd.Timedelta(days=367)) & (
            t["created_date"] < rows["cutoff"].max() + pd.Timedelta(days=1)
        )
        t = t[window.to_numpy()]
    m = (
        _beside(rows, t, ["created_date", "priority", "sentiment"])
        if not t.empty
        else rows[["account_id", "cutoff"]].iloc[:0].assign(row=0, created_date=pd.NaT, sentiment=np.nan)
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


def executive_names(frames: CustomerFrames) -> set[str]:
    """Names of contacts whose title reads as an executive (computed once per contacts table)."""
    c = frames.contacts
    if c.empty:
        return set()
    hit = _EXECUTIVES.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    pattern = "|".join(re.escape(w) for w in EXECUTIVE_WORDS)
    mask = c["title"].fillna("").str.lower().str.contains(pattern, regex=True).to_numpy(bool)
    names = set(c.loc[mask, "name"].dropna().str.lower().tolist())
    _EXECUTIVES.clear()
    _EXECUTIVES[id(c)] = (c, names)
    return names


def engagement_features(frames: CustomerFrames, rows: pd.DataFrame) -> pd.DataFrame:
    """Days since an executive took part, days since any contact, and meetings in 90 days."""
    out = pd.DataFrame(index=rows.index)
    cv = frames.conversations
    if cv.empty:
        return out.assign(days_since_exec=np.nan, days_since_contact=np.nan, meetings_90d=0.0)
    execs = executive_names(frames)
    people = cv["participants"].fillna("").str.lower().str.split(r";\s*")
    cv = cv.assign(exec=[bool(execs.intersection(p)) for p in people])
    m = _beside(rows, cv, ["occurred_at", "channel", "exec"])
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
    m = _beside(rows, s, [*CONTRACT_COLUMNS])
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
    out["expansions"] = _count(m.loc[(m["kind"] == "expansion").to_numpy(), "row"], rows.index)
    out["renewals"] = _count(m.loc[(m["kind"] == "renewal").to_numpy(), "row"], rows.index)
    latest = live.sort_values("start_date").groupby("row").tail(1).set_index("row")
    out["kind"] = latest["kind"].reindex(rows.index).fillna("none").astype(str)
    if "payment_method" in live.columns:
        out["payment_method"] = latest["payment_method"].reindex(rows.index).fillna("unknown").astype(str)
    else:
        out["payment_method"] = "unknown"
    tier = latest["tier"] if "tier" in latest.columns else pd.Series(dtype=str)
    out["tier"] = tier.reindex(rows.index).fillna("unknown").astype(str)
    product_codes, owned_products = pd.factorize(live["product_id"])
    for i, p in enumerate(products):
        hit = product_codes == (owned_products.get_loc(p) if p in owned_products else -2)
        out[f"owns_{i}"] = (_count(live.loc[hit, "row"], rows.index) > 0).astype(float)
    return out


def _count(row: pd.Series, index: pd.Index) -> pd.Series:
    """How many times each row number of ``index`` occurs in ``row`` (0.0 when never), as floats."""
    return row.value_counts().reindex(index).fillna(0).astype(float)


def product_list(frames: CustomerFrames) -> list[str]:
    """The most common products (the "owns ..." features), most common first."""
    counts = frames.subs.groupby("product_id")["account_id"].nunique().sort_values(ascending=False)
    return [str(p) for p in counts.index[:TOP_PRODUCTS]]


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


def renewal_events(frames: CustomerFrames) -> pd.DataFrame:
    """Past renewals: one row per customer and term end, ``churned`` when the customer left there.

    The cutoff is ``lead_days`` before the renewal (set by the caller); a term end is a renewal event
    when a new or renewal line ended or churned on it.
    """
    s = frames.subs
    base = s[
        s["kind"].isin(["new", "renewal"]) & s["status"].isin(["ended", "churned"]) & s["end_date"].notna()
    ]
    base = base[base["end_date"] <= frames.as_of]
    ev = base.assign(churned=(base["status"] == "churned").astype(int))
    ev = ev.groupby(["account_id", "end_date"], as_index=False)["churned"].max()
    return ev.rename(columns={"end_date": "renewal_date"}).sort_values(["renewal_date", "account_id"])


def next_renewals(frames: CustomerFrames) -> pd.DataFrame:
    """Live customers with their next renewal date, ARR and lines (one row per customer)."""
    s = frames.subs
    live = s[s["status"] == "active"]
    g = live.groupby("account_id")
    out = g.agg(
        account=("account", "first"),
        region=("region", "first"),
        tier=("tier", "first"),
        arr=("arr", "sum"),
        renewal_date=("renewal_date", "min"),
        lines=("subscription_id", "count"),
    ).reset_index()
    return out
