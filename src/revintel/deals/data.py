"""Reading deal rows through the caller's scope.

Every row deals and forecast use comes through :func:`scoped` (the semantic layer's
``scoped_table``: the fact table joined to its dimension columns with the scope's row filters
applied), so the rest of the package never reads a fact table unscoped.
"""

from __future__ import annotations

import dataclasses
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


def derived(rt: Runtime, name: str, scope: Scope, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Rows of ``name`` (with dimension columns) that ``scope`` may see, derived from the rows read
    once per data version for every scope (:meth:`SemanticLayer.all_rows` narrowed by
    :meth:`SemanticLayer.scope_rows`, the same filter :func:`scoped` applies in SQL).

    Raises:
        Forbidden: the scope restricts a dimension ``name`` cannot be filtered by.
    """
    return rt.semantic.scope_rows(rt.semantic.all_rows(name, columns), name, scope)


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


def _deal_bound(rt: Runtime, scope: Scope) -> Scope:
    """``scope`` without the row filters conversations cannot carry (capability, product ...).

    Only the call dates of deals already read through ``scope`` are kept (the ids filter below),
    so a service-line lead's deals keep their conversation features instead of failing with 403.
    """
    from revintel.semantic.catalogue import scoped_columns

    available = scoped_columns("conversations")
    layer = rt.semantic
    rows = tuple((d, v) for d, v in scope.rows if layer._scope_column(d) in available)
    return scope if rows == scope.rows else dataclasses.replace(scope, rows=rows)


def load_frames(rt: Runtime, scope: Scope) -> DealFrames:
    """Read opportunities, their history and conversation dates within ``scope``.

    Derived from the rows read once per data version for every scope (:func:`derived`), so a
    persona's frames cost a filter, not a compilation.
    """
    wh = rt.warehouse
    opps = _dates(derived(rt, "opportunities", scope), ("created_date", "engage_date", "close_date"))
    if "list_price" not in opps.columns:
        prices = wh.execute(wh.table("products").select("product_id", "list_price"))
        opps = opps.merge(prices, on="product_id", how="left")
    ids = set(opps["opportunity_id"])
    hist = derived(rt, "opportunity_history", scope, _HISTORY)[list(_HISTORY)]
    hist = _dates(hist, ("snapshot_date", "close_date"))
    hist = hist[hist["opportunity_id"].isin(ids)].sort_values(["opportunity_id", "snapshot_date"])
    conv = derived(rt, "conversations", _deal_bound(rt, scope), ("opportunity_id", "occurred_at"))
    conv = _dates(conv[conv["opportunity_id"].notna()][["opportunity_id", "occurred_at"]], ("occurred_at",))
    conv = conv[conv["opportunity_id"].isin(ids)]
    meta = wh.get_meta()
    data_as_of = pd.Timestamp(meta["as_of"]) if meta.get("as_of") else None
    return DealFrames(
        opps.reset_index(drop=True), hist.reset_index(drop=True), conv, meta.get("dataset", ""), data_as_of
    )


_HISTORY = ("opportunity_id", "snapshot_date", "stage", "status", "amount", "close_date", "probability")
