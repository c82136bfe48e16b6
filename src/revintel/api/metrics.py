"""Governed metrics over HTTP: the catalogue, KPI cards and drill-downs, and MetricQuery.

Every route runs under the caller's scope (``CurrentScope``); the semantic layer applies it in
the compiler, so no parameter here can widen it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from revintel.api.deps import CurrentScope, CurrentUser, RuntimeDep
from revintel.appdb import audit
from revintel.semantic import MetricQuery

router = APIRouter(tags=["metrics"])

PeriodParam = Annotated[
    str | None,
    Query(
        description="Period: 2025, 2025-12, 2025-Q4, FY2025, YTD, QTD, MTD, last quarter, last 12 months ... "
        "(default YTD)."
    ),
]


@router.get("/api/metrics")
def list_metrics(rt: RuntimeDep, scope: CurrentScope) -> dict[str, Any]:
    """The metric catalogue (metrics the caller's role may see) and the dimensions."""
    cat = rt.catalogue
    return {
        "metrics": [m.to_dict() for m in cat.metrics if m.domain in scope.domains],
        "dimensions": [d.to_dict() for d in cat.dimensions],
        "headline": [m.id for m in cat.headline if m.domain in scope.domains],
        "problems": [p.to_dict() for p in cat.problems],
    }


@router.get("/api/kpis/summary")
def kpi_summary(rt: RuntimeDep, scope: CurrentScope, period: PeriodParam = None) -> dict[str, Any]:
    """Headline KPI cards: value, budget and prior year with variances, status, 12-point sparkline, SQL."""
    engine = rt.kpis
    p = engine.resolve_period(period)
    cards = engine.summary(scope, p)
    return {
        "period": p.to_dict(),
        "as_of": rt.semantic.as_of().isoformat(),
        "scope": scope.to_dict(),
        "cards": [c.to_dict() for c in cards],
    }


@router.get("/api/kpis/{metric_id}")
def kpi_detail(
    metric_id: str,
    rt: RuntimeDep,
    scope: CurrentScope,
    period: PeriodParam = None,
    by: Annotated[
        str | None, Query(description="Dimension to break the KPI down by (default: region, ...).")
    ] = None,
) -> dict[str, Any]:
    """Drill-down for one KPI: trend vs budget and prior year, breakdown, YTD bridge, definition, SQL."""
    return rt.kpis.detail(metric_id, scope, period, by)


@router.post("/api/query")
def run_query(q: MetricQuery, rt: RuntimeDep, user: CurrentUser, scope: CurrentScope) -> dict[str, Any]:
    """Run a MetricQuery under the caller's scope: columns, rows, SQL, definitions, filters, scope."""
    res = rt.semantic.query(q, scope)
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target="metrics/" + ",".join(q.metrics),
        detail={"query": q.model_dump(mode="json")},
        sql=res.sql,
        rows=len(res.rows),
    )
    return res.to_dict()
