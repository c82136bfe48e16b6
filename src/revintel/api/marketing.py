"""Marketing over HTTP: funnel, attribution, campaigns, acceleration, alerts and outlook.

Routes are thin: :mod:`revintel.services.marketing` checks permissions, runs and audits; the
global filters (region ...) narrow the caller's scope, never widen it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import marketing as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["marketing"])
PeriodParam = Annotated[
    str | None, Query(description="2025, 2025-Q4, last quarter ... (default: this quarter).")
]


def _scope(request: Request, user: Any) -> Any:
    return GlobalFilters.from_request(request).apply(svc.marketing_scope(user))


@router.get("/api/marketing")
def marketing_report(
    request: Request, rt: RuntimeDep, user: CurrentUser, period: PeriodParam = None
) -> dict[str, Any]:
    """Everything on the Marketing page: funnel, why a region drops, attribution, campaigns,
    acceleration, alerts and the next-quarter outlook."""
    return svc.audited_report(rt, user, _scope(request, user), period, "api/marketing")


@router.get("/api/marketing/funnel")
def marketing_funnel(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    period: PeriodParam = None,
    by: Annotated[str | None, Query(description="region, channel, campaign, tier or lead_source")] = None,
) -> dict[str, Any]:
    """Funnel counts, conversions and median days against the previous period and the prior year."""
    return svc.audited_funnel(rt, user, _scope(request, user), period, by, "api/marketing/funnel")


@router.get("/api/marketing/funnel/why")
def marketing_funnel_why(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    period: PeriodParam = None,
    against: Annotated[str, Query(pattern="^(previous|prior_year)$")] = "previous",
) -> dict[str, Any]:
    """Which region is dropping in the funnel: stage contributions, then mix versus rate, with SQL."""
    return svc.audited_dropping(rt, user, _scope(request, user), period, against, "api/marketing/funnel/why")


@router.get("/api/marketing/attribution")
def marketing_attribution(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    credit: Annotated[str, Query(pattern="^(revenue|pipeline)$")] = "revenue",
    period: Annotated[
        str | None, Query(description="Deals closed (revenue) or created (pipeline) in it.")
    ] = None,
    by: Annotated[str, Query(pattern="^(channel|campaign)$")] = "channel",
) -> dict[str, Any]:
    """Every attribution model side by side per channel or campaign."""
    return svc.audited_attribution(
        rt, user, _scope(request, user), credit, period, by, "api/marketing/attribution"
    )


@router.get("/api/marketing/campaigns")
def marketing_campaigns(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    period: Annotated[str | None, Query(description="Deals created / won in it (default: all time).")] = None,
) -> dict[str, Any]:
    """Sourced vs influenced pipeline and won revenue, credit per model, cost and ROI per campaign."""
    return svc.audited_campaigns(rt, user, _scope(request, user), period, "api/marketing/campaigns")


@router.get("/api/marketing/acceleration")
def marketing_acceleration(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    by: Annotated[str, Query(pattern="^(channel|campaign)$")] = "channel",
) -> dict[str, Any]:
    """Touched versus matched untouched deals: win rate and cycle time with bootstrap intervals."""
    return svc.audited_acceleration(rt, user, _scope(request, user), by, "api/marketing/acceleration")


@router.get("/api/marketing/alerts")
def marketing_alerts(request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Pipeline anomaly alerts in the caller's scope."""
    return svc.audited_alerts(rt, user, _scope(request, user), "api/marketing/alerts")


@router.get("/api/marketing/outlook")
def marketing_outlook(request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Pipeline and revenue expected from marketing next quarter, with range and backtest."""
    return svc.audited_outlook(rt, user, _scope(request, user), "api/marketing/outlook")
