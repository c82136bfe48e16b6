"""Governed metrics over HTTP: the catalogue, KPI cards and drill-downs, and MetricQuery.

Every route runs under the caller's scope (``CurrentScope``); the semantic layer applies it in
the compiler, so no parameter here can widen it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from revintel.http.deps import CurrentScope, CurrentUser, RuntimeDep
from revintel.semantic import MetricQuery
from revintel.services import metrics as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["metrics"])

PeriodParam = Annotated[
    str | None,
    Query(
        description="Period: 2025, 2025-12, 2025-Q4, FY2025, YTD, QTD, MTD, last quarter, last 12 months ... "
        "(default YTD; empty = default).",
        max_length=60,
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


def _scope(request: Request, user: CurrentUser) -> Any:
    """The caller's scope narrowed by ``?region=``/``?capability=`` (403 outside it, never widened)."""
    return GlobalFilters.from_request(request).apply(user.scope)


@router.get("/api/kpis/summary")
def kpi_summary(
    request: Request, rt: RuntimeDep, user: CurrentUser, period: PeriodParam = None
) -> dict[str, Any]:
    """Headline KPI cards: value, budget and prior year with variances, status, 12-point sparkline, SQL."""
    return svc.kpi_summary(rt, user, _scope(request, user), period or None)


@router.get("/api/kpis/{metric_id}")
def kpi_detail(
    metric_id: Annotated[str, Path(max_length=100)],
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    period: PeriodParam = None,
    by: Annotated[
        str | None,
        Query(max_length=60, description="Dimension to break the KPI down by (default: region, ...)."),
    ] = None,
) -> dict[str, Any]:
    """Drill-down for one KPI: trend vs budget and prior year, breakdown, YTD bridge, definition, SQL."""
    return svc.kpi_detail(rt, user, _scope(request, user), metric_id, period or None, by or None)


@router.post("/api/query")
def run_query(q: MetricQuery, request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Run a MetricQuery under the caller's scope: columns, rows, SQL, definitions, filters, scope."""
    return svc.run_query(rt, user, _scope(request, user), q)
