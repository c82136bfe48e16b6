"""The query model: what a caller asks for (:class:`MetricQuery`) and what it gets back
(:class:`QueryResult`, which always carries the SQL run, the definitions, the filters and the scope).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from revintel.errors import InvalidRequest
from revintel.semantic.time import Period

if TYPE_CHECKING:
    import pandas as pd

COMPARISONS = ("budget", "py", "pp")
_COMPARE_ALIASES = {
    "budget": "budget",
    "target": "budget",
    "plan": "budget",
    "py": "py",
    "prior_year": "py",
    "prior year": "py",
    "yoy": "py",
    "ly": "py",
    "pp": "pp",
    "prior_period": "pp",
    "prior period": "pp",
    "pop": "pp",
}


class MetricQuery(BaseModel):
    """One governed question: metric(s) sliced by dimensions over a period.

    Attributes:
        metrics: metric ids (or labels/synonyms), at least one.
        dimensions: dimension ids to group by; a time dimension (``month``, ``quarter``, ``year``,
            ``fiscal_quarter``, ``fiscal_year``) sets ``grain``.
        filters: dimension id -> allowed values (ANDed with the caller's scope, never replacing it).
        period: a :class:`Period` or a phrase for :func:`~revintel.semantic.time.parse_period`; None = all
            time for flows and the as-of date for snapshots.
        grain: break the period down by this time grain.
        compare: any of ``budget``, ``py`` (prior year), ``pp`` (prior period): adds ``<metric>_budget``,
            ``<metric>_py``, ``<metric>_pp`` columns.
        order_by: a result column; prefix ``-`` for descending. Default: time, then dimensions.
        limit: at most this many rows.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    metrics: list[str] = Field(min_length=1)
    dimensions: list[str] = Field(default_factory=list)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    period: Period | str | None = None
    grain: str | None = None
    compare: list[str] = Field(default_factory=list)
    order_by: str | None = None
    limit: int | None = Field(default=None, ge=1)

    @field_validator("metrics", "dimensions", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("filters", mode="before")
    @classmethod
    def _filter_lists(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: [str(x) for x in (vals if isinstance(vals, list | tuple) else [vals])]
                for k, vals in v.items()
            }
        return v

    @field_validator("compare", mode="before")
    @classmethod
    def _compare(cls, v: Any) -> Any:
        items = [v] if isinstance(v, str) else list(v or [])
        out = []
        for item in items:
            key = _COMPARE_ALIASES.get(str(item).strip().lower())
            if key is None:
                from revintel.text import nearest

                raise InvalidRequest(f"unknown comparison {item!r}", hint=nearest(str(item), COMPARISONS))
            if key not in out:
                out.append(key)
        return out


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if type(v).__name__ == "NaTType":  # before datetime: pandas' NaT is one, without a time
        return None
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    return v


@dataclass
class QueryResult:
    """Rows of a governed query, with everything needed to trust them.

    ``sql`` is the SQL behind the numbers, over the canonical tables: an analyst can run it and get
    the same rows. It is the exact SQL run, except when a pre-aggregate (:mod:`revintel.semantic.rollups`)
    answered (``preaggregated``): then ``sql`` is the same query compiled over the canonical tables,
    headed by a comment saying so, and ``run_sql`` is what ran. ``parts`` has the shown SQL by name.
    """

    columns: list[str]
    rows: list[list[Any]]
    sql: str
    definitions: list[dict[str, Any]]
    filters: dict[str, list[str]]
    scope: dict[str, Any]
    period: dict[str, str] | None = None
    grain: str | None = None
    parts: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    run_sql: str | None = None
    preaggregated: bool = False

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, **kwargs: Any) -> QueryResult:
        rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        return cls(columns=[str(c) for c in frame.columns], rows=rows, **kwargs)

    @classmethod
    def from_rows(cls, columns: list[str], rows: list[tuple[Any, ...]], **kwargs: Any) -> QueryResult:
        """From rows as the database returned them (Python or NumPy values, NULL as None or NaN)."""
        return cls(columns=list(columns), rows=[[_cell(v) for v in row] for row in rows], **kwargs)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": [[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in self.rows],
            "sql": self.sql,
            "parts": self.parts,
            "definitions": self.definitions,
            "filters": self.filters,
            "scope": self.scope,
            "period": self.period,
            "grain": self.grain,
            "units": self.units,
            "preaggregated": self.preaggregated,
        }
