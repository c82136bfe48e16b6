"""Forecasts over HTTP: the period forecast, its backtest and pipeline changes, in the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from revintel.api.deals import AsOfParam, pipeline_scope
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.appdb import audit

router = APIRouter(tags=["forecast"])


@router.get("/api/forecast")
def forecast(
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
    seed: int = 0,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """P10/P50/P90, expected, quota gap and submitted calls for a period and breakdown."""
    from revintel.forecast.rollup import forecast as run

    scope = pipeline_scope(user)
    out = run(rt, scope, period, by, as_of, scenarios, seed).to_dict()
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target="forecast",
        detail={"period": out["period"]["label"], "by": by},
        rows=len(out["rows"]),
    )
    return out


@router.get("/api/forecast/backtest")
def backtest(
    rt: RuntimeDep,
    user: CurrentUser,
    periods: Annotated[int, Query(ge=1, le=12)] = 4,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Past quarters replayed: P10-P90 coverage, P50 error, Brier and calibration per period."""
    from revintel.forecast.backtest import backtest as run

    return run(rt, pipeline_scope(user), periods, as_of)


@router.get("/api/pipeline/changes")
def changes(
    rt: RuntimeDep,
    user: CurrentUser,
    start: Annotated[dt.date, Query(alias="from", description="Start date.")],
    end: Annotated[dt.date, Query(alias="to", description="End date.")],
    by: str | None = None,
    horizon: dt.date | None = None,
    min_pushes: Annotated[int, Query(ge=1)] = 2,
    min_days: Annotated[int, Query(ge=1)] = 30,
) -> dict[str, Any]:
    """Pipeline waterfall between two dates (it reconciles) and slippage alerts."""
    from revintel.forecast.changes import pipeline_changes

    scope = pipeline_scope(user)
    out = pipeline_changes(rt, scope, start, end, by, horizon, min_pushes, min_days)
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target="pipeline/changes",
        detail={"from": start.isoformat(), "to": end.isoformat(), "by": by},
        rows=len(out["rows"]),
    )
    return {**out, "scope": scope.to_dict()}
