"""Journeys from the warehouse: touchpoints joined to leads and deals.

A deal's journey is every touch on the deal and on the lead that converted into it, in time
order, up to the deal's close date (or the data's as-of date while open). Credit is either
**pipeline** (every deal created in the period converts once, worth its amount; leads created in
the period that never became a deal are the journeys that did not convert) or **revenue** (deals
won in the period convert, worth their amount; deals lost in the period are the journeys that did
not). Touches after the conversion are not the journey's. The lead-creation touch is the last
touch on or before the lead's creation date (the first touch when none is), the opportunity
creation touch the last touch on or before the deal's creation date, so W-shaped credit runs.
Journeys can be keyed by ``channel`` or ``campaign`` (campaign names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.marketing.data import MarketingFrames
from revintel.marketing.journeys import Journeys, from_codes

CREDITS = ("revenue", "pipeline")


def _touches_per_deal(f: MarketingFrames) -> pd.DataFrame:
    t = f.touches
    deal_touch = t[t["opportunity_id"].notna()][["opportunity_id", "touched_at", "channel", "campaign_id"]]
    lead_opp = f.leads[f.leads["opportunity_id"].notna()][["lead_id", "opportunity_id"]]
    lead_touch = t[t["lead_id"].notna()].merge(lead_opp, on="lead_id", suffixes=("_t", ""))
    lead_touch = lead_touch[["opportunity_id", "touched_at", "channel", "campaign_id"]]
    return pd.concat([deal_touch, lead_touch], ignore_index=True)


def build(
    f: MarketingFrames,
    credit: str = "revenue",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    key: str = "channel",
) -> tuple[Journeys, dict[str, int]]:
    """Journeys for ``credit`` over deals in [start, end].

    Returns:
        The journeys and a summary: deals in the period, deals with at least one touch, and the
        non-converting journeys (leads or lost deals).
    """
    if credit not in CREDITS:
        raise ValueError(f"credit must be one of {CREDITS}")
    start = start or pd.Timestamp.min
    end = end or f.as_of
    opps = f.opps.copy()
    date_col = "close_date" if credit == "revenue" else "created_date"
    in_period = opps[date_col].between(start, end)
    converting = opps[in_period & (opps["status"].eq("won") if credit == "revenue" else True)]
    failing = opps[in_period & opps["status"].eq("lost")] if credit == "revenue" else opps.iloc[0:0]
    deals = pd.concat([converting.assign(conv=1.0), failing.assign(conv=0.0)])
    deals["end"] = deals["close_date"].where(deals["status"] != "open", f.as_of).fillna(f.as_of)
    touches = _touches_per_deal(f).merge(
        deals[["opportunity_id", "end", "created_date", "conv"]], on="opportunity_id"
    )
    touches = touches[touches["touched_at"] <= touches["end"] + pd.Timedelta(days=1)]
    leads = f.leads.set_index("opportunity_id")["created_date"]
    touches["lead_created"] = touches["opportunity_id"].map(leads[~leads.index.duplicated()])
    rows = [touches]
    if credit == "pipeline":
        rows.append(_unconverted_lead_journeys(f, start, end))
    all_t = pd.concat(rows, ignore_index=True)
    if key == "campaign":
        names = f.campaigns.set_index("campaign_id")["name"]
        all_t["channel"] = all_t["campaign_id"].map(names).fillna(all_t["campaign_id"])
    all_t["channel"] = all_t["channel"].fillna("(none)").astype(str)
    all_t = all_t.sort_values(["opportunity_id", "touched_at"], kind="stable")
    amounts = deals.set_index("opportunity_id")["amount"].fillna(0.0)
    j = _assemble(all_t, amounts)
    summary = {
        "deals": len(converting),
        "deals_touched": int(touches.loc[touches["conv"] > 0, "opportunity_id"].nunique()),
        "not_converting_journeys": round(float(j.nulls.sum())),
    }
    return j, summary


def _unconverted_lead_journeys(f: MarketingFrames, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    leads = f.leads[f.leads["opportunity_id"].isna() & f.leads["created_date"].between(start, end)]
    t = f.touches[f.touches["lead_id"].isin(leads["lead_id"])]
    out = t[["lead_id", "touched_at", "channel", "campaign_id"]].rename(columns={"lead_id": "opportunity_id"})
    out["end"] = out.groupby("opportunity_id")["touched_at"].transform("max")
    out["created_date"] = pd.NaT
    out["conv"] = 0.0
    out["lead_created"] = out["opportunity_id"].map(leads.set_index("lead_id")["created_date"])
    return out


def _assemble(t: pd.DataFrame, amounts: pd.Series) -> Journeys:
    jid, keys = pd.factorize(t["opportunity_id"], sort=False)
    codes, channels = pd.factorize(t["channel"], sort=True)
    lengths = np.bincount(jid, minlength=len(keys))
    first = t.groupby(jid).first()
    conv = first["conv"].to_numpy(dtype=float)
    value = np.where(conv > 0, pd.Series(keys).map(amounts).fillna(0.0).to_numpy(dtype=float), 0.0)
    pos = t.groupby(jid).cumcount().to_numpy()
    lead_ok = (t["touched_at"].dt.normalize() <= t["lead_created"]).to_numpy()
    opp_ok = (t["touched_at"].dt.normalize() <= t["created_date"]).to_numpy()
    lead_touch = pd.Series(np.where(lead_ok, pos, -1)).groupby(jid).max().to_numpy()
    opp_touch = pd.Series(np.where(opp_ok, pos, -1)).groupby(jid).max().to_numpy()
    lead_touch = np.where(lead_touch < 0, 0, lead_touch)  # lead touches start at lead creation
    opp_touch = np.where(conv > 0, np.maximum(opp_touch, 0), -1)
    age = ((t["end"] - t["touched_at"]).dt.total_seconds() / 86400.0).clip(lower=0).to_numpy()
    return from_codes(
        [str(c) for c in channels],
        codes,
        lengths,
        conv,
        value,
        1.0 - conv,
        age_days=age,
        lead_touch=lead_touch.astype(np.int64),
        opp_touch=opp_touch.astype(np.int64),
        keys=np.asarray(keys, dtype=object),
    )
