"""Marketing in the forecast: pipeline and revenue expected next quarter from today's open leads.

Open leads (no deal yet, not disqualified, created in the last 180 days) are counted by stage:
``lead`` (not yet an MQL), ``mql`` (not yet an SQL), ``sql``. For each stage, the probability
of becoming a deal within the next quarter is measured on past snapshots: at each of the last
eight month-ends whose following 91 days are complete, the leads open in that stage and the share
that became a deal within 91 days. Leads not created yet also
become deals within the quarter: their count is the average, over the same snapshots, of deals
from leads created after the snapshot. Expected deals = Σ open leads × probability + that
count; pipeline = deals
× the amounts of recent marketing-sourced deals; revenue = pipeline × their win rate (revenue
that these deals eventually win; most closes fall after the quarter). The range (P10-P90) comes
from 4,000 simulations that redraw the probabilities from the snapshots, the deals as binomial
draws (Poisson for the new leads), their amounts from the recent sourced deals and the wins
from the win rate. A backtest
replays the method one and two quarters ago against the sourced pipeline that followed, beside
the naive baseline (the previous quarter's sourced pipeline).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing.data import MarketingFrames

HORIZON = 91
OPEN_WINDOW = 180
SNAPSHOTS = 8
SIMULATIONS = 4000
STATES = ("lead", "mql", "sql")


def _state_at(leads: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Each lead's stage at ``at``: lead / mql / sql while open, else None."""
    alive = (leads["created_date"] <= at) & (leads["created_date"] > at - pd.Timedelta(days=OPEN_WINDOW))
    open_ = alive & ~(leads["converted_date"] <= at) & ~leads["status"].eq("Disqualified")
    state = np.where(leads["sql_date"] <= at, "sql", np.where(leads["mql_date"] <= at, "mql", "lead"))
    return pd.Series(state, index=leads.index, dtype=object).where(open_.to_numpy(), None)


def _rates(leads: pd.DataFrame, at: pd.Timestamp) -> dict[str, float]:
    state = _state_at(leads, at)
    converted = leads["converted_date"].between(at + pd.Timedelta(days=1), at + pd.Timedelta(days=HORIZON))
    out = {}
    for s in STATES:
        n = int((state == s).sum())
        out[s] = float(converted[state == s].sum() / n) if n else 0.0
    # deals in the quarter from leads that did not exist yet at the snapshot
    out["new"] = float((converted & (leads["created_date"] > at)).sum())
    return out


def _snapshots(leads: pd.DataFrame, as_of: pd.Timestamp) -> list[dict[str, float]]:
    last = as_of - pd.Timedelta(days=HORIZON)
    ends = pd.date_range(end=last, periods=SNAPSHOTS, freq="ME")
    return [_rates(leads, at) for at in ends]


def _sourced(f: MarketingFrames, as_of: pd.Timestamp) -> tuple[np.ndarray, float]:
    o = f.opps[f.opps["campaign_id"].notna()]
    recent = o[o["created_date"].between(as_of - pd.Timedelta(days=365), as_of)]
    closed = o[
        o["status"].isin(["won", "lost"]) & o["close_date"].between(as_of - pd.Timedelta(days=365), as_of)
    ]
    win = float(closed["status"].eq("won").mean()) if len(closed) else 0.0
    return recent["amount"].dropna().to_numpy(float), win


def expected(f: MarketingFrames, as_of: pd.Timestamp | None = None, seed: int = 0) -> dict[str, Any]:
    """Expected marketing pipeline and revenue for the quarter after ``as_of``, with P10-P90."""
    as_of = as_of or f.as_of
    leads = f.leads
    snaps = _snapshots(leads, as_of)
    keys = (*STATES, "new")
    rates = {s: float(np.mean([r[s] for r in snaps])) for s in keys} if snaps else dict.fromkeys(keys, 0.0)
    state = _state_at(leads, as_of)
    open_counts = {s: int((state == s).sum()) for s in STATES}
    amounts, win = _sourced(f, as_of)
    from_open = sum(open_counts[s] * rates[s] for s in STATES)
    deals = from_open + rates["new"]
    avg = float(amounts.mean()) if len(amounts) else 0.0
    sims = _simulate(open_counts, snaps, amounts, win, seed)
    by_campaign = (
        pd.DataFrame({"campaign": leads["campaign"].fillna("(none)"), "state": state})
        .dropna(subset=["state"])
        .assign(p=lambda d: d["state"].map(rates))
        .groupby("campaign")
        .agg(open_leads=("state", "size"), expected_deals=("p", "sum"))
        .assign(expected_pipeline=lambda d: d["expected_deals"] * avg)
        .sort_values("expected_pipeline", ascending=False)
        .reset_index()
    )
    return {
        "as_of": as_of.date().isoformat(),
        "horizon_days": HORIZON,
        "open_leads": open_counts,
        "conversion_within_quarter": {s: rates[s] for s in STATES},
        "deals_from_open_leads": from_open,
        "deals_from_new_leads": rates["new"],
        "avg_deal": avg,
        "win_rate": win,
        "expected_deals": deals,
        "pipeline": {"expected": deals * avg, **_pcts(sims[0])},
        "revenue": {"expected": deals * avg * win, **_pcts(sims[1])},
        "by_campaign": by_campaign.to_dict("records"),
    }


def _simulate(
    open_counts: dict[str, int], snaps: list[dict[str, float]], amounts: np.ndarray, win: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if not snaps or not len(amounts):
        return np.zeros(1), np.zeros(1)
    pick = rng.integers(0, len(snaps), SIMULATIONS)
    deals = np.zeros(SIMULATIONS, dtype=np.int64)
    for s in STATES:
        p = np.array([snaps[i][s] for i in pick])
        deals += rng.binomial(open_counts[s], p)
    deals += rng.poisson(np.array([snaps[i]["new"] for i in pick]))
    total = np.cumsum(rng.choice(amounts, int(deals.sum()) or 1))
    ends = np.cumsum(deals)
    starts = ends - deals
    padded = np.concatenate([[0.0], total])
    pipeline = padded[ends] - padded[starts]
    revenue = pipeline * rng.binomial(np.maximum(deals, 1), win) / np.maximum(deals, 1)
    return pipeline, revenue


def _pcts(x: np.ndarray) -> dict[str, float]:
    return {
        "p10": float(np.percentile(x, 10)),
        "p50": float(np.percentile(x, 50)),
        "p90": float(np.percentile(x, 90)),
    }


def backtest(f: MarketingFrames, quarters: int = 2) -> list[dict[str, Any]]:
    """The method replayed at earlier dates against the sourced pipeline that followed, beside the
    naive baseline (the sourced pipeline of the quarter before)."""
    rows = []
    o = f.opps[f.opps["campaign_id"].notna()]
    for q in range(1, quarters + 1):
        at = f.as_of - pd.Timedelta(days=HORIZON * q)
        res = expected(f, at)
        nxt = o[o["created_date"].between(at + pd.Timedelta(days=1), at + pd.Timedelta(days=HORIZON))]
        prev = o[o["created_date"].between(at - pd.Timedelta(days=HORIZON - 1), at)]
        actual = float(nxt["amount"].sum())
        rows.append(
            {
                "as_of": at.date().isoformat(),
                "actual_pipeline": actual,
                "expected_pipeline": res["pipeline"]["expected"],
                "p10": res["pipeline"]["p10"],
                "p90": res["pipeline"]["p90"],
                "naive_pipeline": float(prev["amount"].sum()),
                "inside_range": res["pipeline"]["p10"] <= actual <= res["pipeline"]["p90"],
            }
        )
    return rows
