"""Forecasts, backtests and pipeline changes, audited and authorised (DRILL + pipeline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services.audited import audited
from revintel.services.deals import pipeline_scope
from revintel.services.identity import User


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
    weekly: bool = True,
) -> dict[str, Any]:
    """The forecast within ``scope``, audited (shared by the API, the Forecast page and the CLI);
    with ``weekly``, the period week by week (cumulative, with its band and the actuals so far)."""
    from revintel.forecast.rollup import forecast as run

    pipeline_scope(user)
    out = run(rt, scope, period, by, as_of, scenarios, seed, weekly=weekly).to_dict()
    audited(
        rt.appdb,
        user,
        "query",
        target,
        scope=scope,
        detail={"period": out["period"]["label"], "by": by},
        rows=len(out["rows"]),
    )
    return out


def audited_backtest(
    rt: Runtime, user: User, scope: Scope, periods: int, as_of: dt.date | None, target: str
) -> dict[str, Any]:
    """Past quarters replayed within ``scope``, audited."""
    from revintel.forecast.backtest import backtest as run

    pipeline_scope(user)
    out = run(rt, scope, periods, as_of)
    audited(rt.appdb, user, "query", target, scope=scope, detail={"periods": periods})
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
    """Pipeline changes within ``scope``, audited."""
    from revintel.forecast.changes import pipeline_changes

    pipeline_scope(user)
    out = pipeline_changes(rt, scope, start, end, by, **options)
    audited(
        rt.appdb,
        user,
        "query",
        target,
        scope=scope,
        detail={"from": start.isoformat(), "to": end.isoformat(), "by": by},
        rows=len(out["rows"]),
    )
    return out
