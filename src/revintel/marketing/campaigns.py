"""Campaign influence and return: sourced versus influenced pipeline and revenue, cost, ROI.

Per campaign:

- **sourced** pipeline / won revenue: deals whose ``campaign_id`` is the campaign (created /
  won in the period);
- **influenced** pipeline / won revenue: distinct deals with at least one touch from the campaign
  (on the deal, or on the lead that became it) before the deal closed;
- **credited** pipeline / won revenue under each attribution model (journeys keyed by campaign);
- **cost**: actual cost, else budgeted; leads, MQLs and sourced deals the campaign generated;
  cost per lead, per MQL and per deal; **ROI** = (won revenue - cost) / cost, on sourced revenue
  and on the revenue each model credits.

Campaign costs are not split by region, so a scope limited to some rows gets no cost or ROI
(their revenue is a slice, the cost is not): ``cost_scoped`` says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing import touches as tj
from revintel.marketing.attribution import MODELS, attribute
from revintel.marketing.data import MarketingFrames

ROI_MODELS = ("first_touch", "last_touch", "linear", "position_based", "w_shaped", "markov_1", "shapley")


def _influenced(f: MarketingFrames, opps: pd.DataFrame) -> pd.DataFrame:
    """(campaign_id, opportunity_id) pairs: a touch from the campaign before the deal closed."""
    t = tj._touches_per_deal(f).merge(opps[["opportunity_id", "close_date", "status"]], on="opportunity_id")
    before = (t["status"] == "open") | (t["touched_at"] <= t["close_date"] + pd.Timedelta(days=1))
    return t[before][["campaign_id", "opportunity_id"]].drop_duplicates()


def campaign_table(
    f: MarketingFrames,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    scoped: bool = False,
    models: tuple[str, ...] = ROI_MODELS,
) -> dict[str, Any]:
    """Sourced, influenced and model-credited pipeline and revenue, cost and ROI per campaign."""
    start = start or pd.Timestamp("1900-01-01")
    end = end or f.as_of
    opps = f.opps
    created = opps[opps["created_date"].between(start, end)]
    won = opps[opps["status"].eq("won") & opps["close_date"].between(start, end)]
    camps = f.campaigns.set_index("campaign_id")
    out = pd.DataFrame(index=camps.index)
    out["name"], out["channel"] = camps["name"], camps["channel"]
    out["sourced_pipeline"] = created.groupby("campaign_id")["amount"].sum()
    out["sourced_deals"] = created.groupby("campaign_id").size()
    out["sourced_won"] = won.groupby("campaign_id")["amount"].sum()
    inf_created = _influenced(f, created).merge(created[["opportunity_id", "amount"]], on="opportunity_id")
    inf_won = _influenced(f, won).merge(won[["opportunity_id", "amount"]], on="opportunity_id")
    out["influenced_pipeline"] = inf_created.groupby("campaign_id")["amount"].sum()
    out["influenced_deals"] = inf_created.groupby("campaign_id").size()
    out["influenced_won"] = inf_won.groupby("campaign_id")["amount"].sum()
    leads = f.leads[f.leads["created_date"].between(start, end)]
    out["leads"] = leads.groupby("campaign_id").size()
    out["mqls"] = leads[leads["mql_date"].notna()].groupby("campaign_id").size()
    out = out.fillna({c: 0 for c in out.columns if c not in ("name", "channel")})
    credited = _credited(f, start, end, models)
    for m in credited["models"]:
        for kind in ("pipeline", "revenue"):
            out[f"{m}_{kind}"] = out["name"].map(credited[kind].get(m, {})).fillna(0.0)
    cost = camps["actual_cost"].where(
        camps["actual_cost"].notna() & (camps["actual_cost"] > 0), camps["budgeted_cost"]
    )
    out["cost"] = np.nan if scoped else cost
    out["cost_basis"] = np.where(camps["actual_cost"].fillna(0) > 0, "actual", "budgeted")
    per = out["cost"]
    out["cost_per_lead"] = per / out["leads"].replace(0, np.nan)
    out["cost_per_mql"] = per / out["mqls"].replace(0, np.nan)
    out["cost_per_deal"] = per / out["sourced_deals"].replace(0, np.nan)
    out["roi_sourced"] = (out["sourced_won"] - per) / per
    for m in credited["models"]:
        out[f"{m}_roi"] = (out[f"{m}_revenue"] - per) / per
    out = out.sort_values("influenced_won", ascending=False).reset_index()
    return {
        "campaigns": [_clean(r) for r in out.to_dict("records")],
        "models": credited["models"],
        "cost_scoped": scoped,
        "notes": credited["notes"],
    }


def _credited(
    f: MarketingFrames, start: pd.Timestamp, end: pd.Timestamp, models: tuple[str, ...]
) -> dict[str, Any]:
    chosen = tuple(m for m in models if m in MODELS)
    res: dict[str, Any] = {"models": [], "pipeline": {}, "revenue": {}, "notes": {}}
    for kind in ("pipeline", "revenue"):
        j, _ = tj.build(f, kind, start, end, key="campaign")
        if not len(j):
            continue
        a = attribute(j, chosen)
        res["models"] = a.models
        res["notes"].update(a.notes)
        for m in a.models:
            res[kind][m] = dict(zip(a.channels, a.value[m].tolist(), strict=True))
    return res


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, float | np.floating):
            out[k] = None if not np.isfinite(v) else float(v)
        elif isinstance(v, np.integer):
            out[k] = int(v)
        else:
            out[k] = v
    return out
