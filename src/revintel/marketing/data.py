"""Reading marketing rows through the caller's scope.

Every lead, touch, campaign and deal the marketing package uses comes through
:meth:`SemanticLayer.scoped_table` (the fact table joined to its dimensions, with the scope's row
filters applied), so a regional lead sees their region's leads, touches and deals and nothing else.
:class:`MarketingFrames` carries them together with the SQL that read them (shown as evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

LEAD_COLUMNS = (
    "lead_id", "region", "channel", "campaign_id", "campaign", "lead_source", "status",
    "created_date", "mql_date", "sql_date", "converted_date", "account_id", "opportunity_id",
)  # fmt: skip
OPP_COLUMNS = (
    "opportunity_id", "account_id", "campaign_id", "region", "tier", "amount", "status", "stage",
    "created_date", "close_date",
)  # fmt: skip
TOUCH_COLUMNS = (
    "touchpoint_id",
    "lead_id",
    "opportunity_id",
    "account_id",
    "campaign_id",
    "channel",
    "touched_at",
)
CAMPAIGN_COLUMNS = (
    "campaign_id", "name", "channel", "campaign_type", "status", "start_date", "end_date", "budgeted_cost",
    "actual_cost",
)  # fmt: skip


@dataclass
class MarketingFrames:
    """The rows one marketing computation needs, already scoped.

    Attributes:
        leads: one row per lead (region from the lead, tier from the converted account).
        opps: one row per opportunity with region and tier (segment).
        touches: touchpoints with their channel and campaign.
        campaigns: the campaign list (not row-scoped: names, dates and costs).
        as_of: the date the data is current at.
        sql: the SQL that read each frame (evidence for answers).
        pushes: close-date pushes (opportunity_id, region, tier, pushed_on) from the history.
    """

    leads: pd.DataFrame
    opps: pd.DataFrame
    touches: pd.DataFrame
    campaigns: pd.DataFrame
    as_of: pd.Timestamp
    sql: dict[str, str] = field(default_factory=dict)
    pushes: pd.DataFrame | None = None


def _dates(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def _read(
    rt: Runtime, name: str, scope: Scope, columns: tuple[str, ...], sql: dict[str, str]
) -> pd.DataFrame:
    t = rt.semantic.scoped_table(name, scope, columns=columns)
    expr = t.select(*[c for c in columns if c in t.columns])
    sql[name] = rt.warehouse.compile(expr)
    return rt.warehouse.execute(expr)


def load(rt: Runtime, scope: Scope) -> MarketingFrames:
    """Read leads, opportunities, touches and campaigns within ``scope``."""
    sql: dict[str, str] = {}
    leads = _dates(
        _read(rt, "leads", scope, LEAD_COLUMNS, sql),
        ("created_date", "mql_date", "sql_date", "converted_date"),
    )
    opps = _dates(_read(rt, "opportunities", scope, OPP_COLUMNS, sql), ("created_date", "close_date"))
    touches = _dates(_read(rt, "touchpoints", scope, TOUCH_COLUMNS, sql), ("touched_at",))
    campaigns = _dates(
        rt.warehouse.execute(rt.warehouse.table("campaigns").select(*CAMPAIGN_COLUMNS)),
        ("start_date", "end_date"),
    )
    tier = opps.set_index("opportunity_id")["tier"]
    leads["tier"] = leads["opportunity_id"].map(tier).fillna("Unconverted").astype(object)
    pushes = _pushes(rt, scope, sql)
    return MarketingFrames(leads, opps, touches, campaigns, pd.Timestamp(rt.as_of()), sql, pushes)


def _pushes(rt: Runtime, scope: Scope, sql: dict[str, str]) -> pd.DataFrame:
    """Each snapshot where a deal's close date moved later than in its previous snapshot."""
    cols = ("opportunity_id", "snapshot_date", "close_date", "region", "tier")
    hist = _dates(_read(rt, "opportunity_history", scope, cols, sql), ("snapshot_date", "close_date"))
    if hist.empty:
        return pd.DataFrame(columns=["opportunity_id", "region", "tier", "pushed_on"])
    hist = hist.sort_values(["opportunity_id", "snapshot_date"])
    prev = hist.groupby("opportunity_id")["close_date"].shift()
    pushed = hist[hist["close_date"] > prev]
    return pushed.rename(columns={"snapshot_date": "pushed_on"})[
        ["opportunity_id", "region", "tier", "pushed_on"]
    ]
