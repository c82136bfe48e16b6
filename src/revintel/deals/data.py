"""Reading deal rows through the caller's scope.

Every row deals and forecast use comes through :func:`scoped` (the semantic layer's
``scoped_table``: the fact table joined to its dimension columns with the scope's row filters
applied), so the rest of the package never reads a fact table unscoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from revintel.scope import Scope

if TYPE_CHECKING:
    import ibis

    from revintel.runtime import Runtime

#: Dimension columns deals and forecasts can be broken down by.
DIMENSIONS = ("region", "team", "rep", "manager", "product", "capability", "tier", "sector", "account")


def scoped(rt: Runtime, name: str, scope: Scope) -> ibis.Table:
    """``name`` joined to its dimensions, with ``scope``'s row filters applied (the semantic layer).

    Raises:
        Forbidden: the scope restricts a dimension ``name`` cannot be filtered by.
    """
    return rt.semantic.scoped_table(name, scope)


@dataclass
class DealFrames:
    """The rows one deal computation needs, already scoped.

    Attributes:
        opps: one row per opportunity in its current state, with dimension columns.
        history: opportunity_history snapshots (may be empty: e.g. maven has none).
        conversations: opportunity_id and occurred_at of calls/emails (may be empty).
        dataset: the dataset name from the warehouse meta (``demo``, ``maven`` ...).
        data_as_of: the date the dataset is current at (deals with no created date exist from then).
    """

    opps: pd.DataFrame
    history: pd.DataFrame
    conversations: pd.DataFrame
    dataset: str = ""
    data_as_of: pd.Timestamp | None = None

    @property
    def has_history(self) -> bool:
        return not self.history.empty


def _dates(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return df


def load_frames(rt: Runtime, scope: Scope) -> DealFrames:
    """Read opportunities, their history and conversation dates within ``scope``."""
    wh = rt.warehouse
    opps = wh.execute(scoped(rt, "opportunities", scope))
    opps = _dates(opps, ("created_date", "engage_date", "close_date"))
    if "list_price" not in opps.columns:
        prices = wh.execute(wh.table("products").select("product_id", "list_price"))
        opps = opps.merge(prices, on="product_id", how="left")
    ids = set(opps["opportunity_id"])
    hist = wh.execute(
        scoped(rt, "opportunity_history", scope).select(
            "opportunity_id", "snapshot_date", "stage", "status", "amount", "close_date", "probability"
        )
    )
    hist = _dates(hist, ("snapshot_date", "close_date"))
    hist = hist[hist["opportunity_id"].isin(ids)].sort_values(["opportunity_id", "snapshot_date"])
    conv_t = scoped(rt, "conversations", scope)
    conv = wh.execute(conv_t.filter(conv_t.opportunity_id.notnull()).select("opportunity_id", "occurred_at"))
    conv = _dates(conv, ("occurred_at",))
    conv = conv[conv["opportunity_id"].isin(ids)]
    meta = wh.get_meta()
    data_as_of = pd.Timestamp(meta["as_of"]) if meta.get("as_of") else None
    return DealFrames(
        opps.reset_index(drop=True), hist.reset_index(drop=True), conv, meta.get("dataset", ""), data_as_of
    )
