"""The marketing funnel: Campaign -> Lead -> MQL -> SQL -> Opportunity -> Closed Won.

Counts are flows in the period, each stage dated by its own event (leads by creation, MQLs by
their MQL date, SQLs by their SQL date, opportunities by conversion, wins by the deal's close
date), the way the governed ``leads``/``mqls`` metrics count them. A stage's conversion is its
count over the previous stage's count in the same period, so a recent period is not penalised
for wins that have not happened yet (a cohort view would be). Median days between stages are
taken over the leads that reached the later stage in the period.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from revintel.marketing.data import MarketingFrames

STAGES = ("lead", "mql", "sql", "opportunity", "won")
STAGE_LABELS = {
    "campaign": "Campaign",
    "lead": "Lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "won": "Closed Won",
}
#: the date each stage is counted on (column of the lead frame)
STAGE_DATE = {
    "lead": "created_date",
    "mql": "mql_date",
    "sql": "sql_date",
    "opportunity": "converted_date",
    "won": "won_date",
}
DIMENSIONS = ("region", "channel", "campaign", "tier", "lead_source")


@dataclass(frozen=True)
class Window:
    """A date range [start, end] with a label."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    def contains(self, s: pd.Series) -> pd.Series:
        return (s >= self.start) & (s <= self.end)


def stage_events(f: MarketingFrames) -> pd.DataFrame:
    """One row per lead with the date of every stage it reached (``won_date`` from its deal)."""
    leads = f.leads.copy()
    opps = f.opps.set_index("opportunity_id")
    won = opps["status"].eq("won")
    if leads.empty or opps.empty:  # nothing loaded yet: typed empty columns, not a cast error
        leads["won_date"] = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
        leads["opp_amount"] = pd.Series(float("nan"), index=leads.index, dtype=float)
    else:
        leads["won_date"] = leads["opportunity_id"].map(opps["close_date"].where(won))
        leads["opp_amount"] = leads["opportunity_id"].map(opps["amount"])
    for col in ("campaign", "channel", "region", "lead_source"):
        if col in leads.columns:
            leads[col] = leads[col].fillna("(none)")
    return leads


def counts(events: pd.DataFrame, w: Window, by: str | None = None) -> pd.DataFrame:
    """Stage counts in ``w`` (one row per group of ``by``, or one row ``All``)."""
    key = events[by] if by else pd.Series("All", index=events.index)
    out = pd.DataFrame({s: w.contains(events[STAGE_DATE[s]]).groupby(key).sum() for s in STAGES})
    out["campaigns"] = events.loc[w.contains(events["created_date"])].groupby(key)["campaign_id"].nunique()
    return out.fillna(0).astype(int)


def rates(c: pd.DataFrame) -> pd.DataFrame:
    """Stage-to-stage conversion and end-to-end (won / leads); NaN where the base is zero."""
    out = pd.DataFrame(index=c.index)
    for prev, nxt in itertools.pairwise(STAGES):
        out[f"{prev}_to_{nxt}"] = c[nxt] / c[prev].replace(0, np.nan)
    out["end_to_end"] = c["won"] / c["lead"].replace(0, np.nan)
    return out


def median_days(events: pd.DataFrame, w: Window, by: str | None = None) -> pd.DataFrame:
    """Median days between consecutive stages, over leads reaching the later stage in ``w``."""
    key = events[by] if by else pd.Series("All", index=events.index)
    cols = {}
    for prev, nxt in itertools.pairwise(STAGES):
        a, b = events[STAGE_DATE[prev]], events[STAGE_DATE[nxt]]
        if nxt == "won":  # opportunity creation to close
            a = events["converted_date"]
        days = (b - a).dt.days.where(w.contains(b))
        cols[f"{prev}_to_{nxt}_days"] = days.groupby(key).median()
    return pd.DataFrame(cols)


def funnel_table(events: pd.DataFrame, w: Window, by: str | None = None) -> list[dict[str, Any]]:
    """Counts, conversions and median days per group, as records."""
    c = counts(events, w, by)
    table = c.join(rates(c)).join(median_days(events, w, by))
    table = table.sort_values("lead", ascending=False)
    records = []
    for name, row in table.iterrows():
        rec: dict[str, Any] = {"group": str(name)}
        rec.update(
            {
                k: (None if pd.isna(v) else (int(v) if k in (*STAGES, "campaigns") else float(v)))
                for k, v in row.items()
            }
        )
        records.append(rec)
    return records


def compare(
    events: pd.DataFrame, current: Window, bases: dict[str, Window], by: str | None = None
) -> dict[str, Any]:
    """The funnel in ``current`` and in each base window (``previous``, ``prior_year``)."""
    out: dict[str, Any] = {"current": {"window": _w(current), "rows": funnel_table(events, current, by)}}
    for name, w in bases.items():
        out[name] = {"window": _w(w), "rows": funnel_table(events, w, by)}
    return out


def _w(w: Window) -> dict[str, str]:
    return {"start": w.start.date().isoformat(), "end": w.end.date().isoformat(), "label": w.label}
