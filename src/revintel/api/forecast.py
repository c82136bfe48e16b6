"""Forecasts over HTTP: the period forecast, its backtest and pipeline changes, in the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from revintel.api.auth import User
from revintel.api.deals import AsOfParam, pipeline_scope
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.appdb import audit
from revintel.runtime import Runtime
from revintel.scope import Scope

router = APIRouter(tags=["forecast"])


def audited_forecast(
    rt: Runtime,
    user: User,
    scope: Scope,
    period: str | None,
    by: str | None,
    as_of: dt.date | None,
    target: str,
    scenarios: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """The forecast within ``scope``, recorded in the audit log (shared by this API and the Forecast page)."""
    from revintel.forecast.rollup import forecast as run

    out = run(rt, scope, period, by, as_of, scenarios, seed).to_dict()
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target=target,
        detail={"period": out["period"]["label"], "by": by},
        rows=len(out["rows"]),
    )
    return out


def audited_changes(
    rt: Runtime,
    user: User,
    scope: Scope,
    start: dt.date,
    end: dt.date,
    by: str | None,
    target: str,
    **options: Any,
) -> dict[str, Any]:
    """Pipeline changes within ``scope``, recorded in the audit log (shared by this API and its page)."""
    from revintel.forecast.changes import pipeline_changes

    out = pipeline_changes(rt, scope, start, end, by, **options)
    audit.record(
        rt.appdb,
        actor=user.id,
        action="query",
        scope=scope,
        target=target,
        detail={"from": start.isoformat(), "to": end.isoformat(), "by": by},
        rows=len(out["rows"]),
    )
    return out


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
    return audited_forecast(rt, user, pipeline_scope(user), period, by, as_of, "forecast", scenarios, seed)


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
    scope = pipeline_scope(user)
    out = audited_changes(
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
