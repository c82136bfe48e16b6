"""Forecasts over HTTP: the period forecast, its backtest and pipeline changes, in the caller's scope.

Routes are thin: :mod:`revintel.services.forecast` checks permissions, runs and audits.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from revintel.api.deals import AsOfParam
from revintel.forecast import BACKTEST_PERIODS
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import forecast as svc
from revintel.services.deals import pipeline_scope
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["forecast"])


@router.get("/api/forecast")
def forecast(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    period: Annotated[
        str | None,
        Query(
            description="2026-Q1, 2026-03, next quarter ... (default: the "
            "quarter in progress after the as-of date)."
        ),
    ] = None,
    by: Annotated[str | None, Query(description="region, rep, team, product ...")] = None,
    scenarios: Annotated[int, Query(ge=100, le=100_000)] = 10_000,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Random seed (0 to 2^32-1).")] = 0,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """P10/P50/P90, expected, quota gap and submitted calls for a period and breakdown."""
    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    return svc.audited_forecast(rt, user, scope, period, by, as_of, "forecast", scenarios, seed)


@router.get("/api/forecast/backtest")
def backtest(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    periods: Annotated[int, Query(ge=1, le=12)] = BACKTEST_PERIODS,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Past quarters replayed: P10-P90 coverage, P50 error, Brier and calibration per period."""
    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    return svc.audited_backtest(rt, user, scope, periods, as_of, "forecast/backtest")


@router.get("/api/pipeline/changes")
def changes(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    start: Annotated[dt.date, Query(alias="from", description="Start date.")],
    end: Annotated[dt.date, Query(alias="to", description="End date.")],
    by: str | None = None,
    horizon: dt.date | None = None,
    min_pushes: Annotated[int, Query(ge=1, le=1000)] = 2,
    min_days: Annotated[int, Query(ge=1, le=3650)] = 30,
) -> dict[str, Any]:
    """Pipeline waterfall between two dates (it reconciles) and slippage alerts."""
    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    out = svc.audited_changes(
        rt,
        user,
        scope,
        start,
        end,
        by,
        "pipeline/changes",
        horizon=horizon,
        min_pushes=min_pushes,
        min_days=min_days,
    )
    return {**out, "scope": scope.to_dict()}
