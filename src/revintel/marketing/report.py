"""The marketing report: every marketing figure a surface shows comes from here.

:func:`marketing_report` reads the scoped rows once and returns the funnel (current period,
previous period, prior year; by region, channel, campaign and tier), the "which region is
dropping and why" analysis, attribution by channel under every model, the campaign table with
influence and ROI, acceleration, alerts and the next-quarter outlook. Pages, API, CLI, briefs,
exports and Ask all call it (or one of its parts below), so they agree. Results are cached per
(scope, period, as-of, data version).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import pandas as pd

from revintel.marketing import acceleration, alerts, campaigns, data, decompose, funnel, outlook
from revintel.marketing import touches as tj
from revintel.marketing.attribution import attribute
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

DEFAULT_PERIOD = "this quarter"
_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_LOCK = threading.Lock()
_MAX = 96  # a few views per persona scope (frames, alerts, outlook, campaigns, acceleration)


def _window(p: Any) -> funnel.Window:
    return funnel.Window(pd.Timestamp(p.start), pd.Timestamp(p.end), p.label)


def windows(rt: Runtime, period: str | None) -> dict[str, funnel.Window]:
    """The current, previous and prior-year windows of a period phrase (default: this quarter)."""
    p = rt.semantic.period(period or DEFAULT_PERIOD)
    assert p is not None
    return {
        "current": _window(p),
        "previous": _window(p.prior_period()),
        "prior_year": _window(p.prior_year()),
    }


def _cached(key: tuple, build: Any) -> Any:
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _MAX:
            _CACHE.popitem(last=False)
    return value


def frames(rt: Runtime, scope: Scope) -> data.MarketingFrames:
    """The scoped rows, cached per scope and data version."""
    key = ("frames", repr(scope.to_dict()), rt.semantic.data_version(), rt.as_of())
    return _cached(key, lambda: data.load(rt, scope))


def funnel_view(
    rt: Runtime, scope: Scope, period: str | None = None, by: str | None = None
) -> dict[str, Any]:
    """The funnel in the period, the previous period and the prior year, optionally by a dimension."""
    if by is not None and by not in funnel.DIMENSIONS:
        from revintel.errors import InvalidRequest

        raise InvalidRequest(
            f"cannot break the funnel down by {by!r}", hint=f"choose from {', '.join(funnel.DIMENSIONS)}"
        )
    w = windows(rt, period)
    ev = funnel.stage_events(frames(rt, scope))
    out = funnel.compare(ev, w["current"], {"previous": w["previous"], "prior_year": w["prior_year"]}, by)
    out["by"] = by
    return out


def dropping_view(
    rt: Runtime, scope: Scope, period: str | None = None, against: str = "previous"
) -> dict[str, Any]:
    """Which region's end-to-end conversion fell most, by stage, then mix vs rate, with the SQL."""
    w = windows(rt, period)
    f = frames(rt, scope)
    out = decompose.dropping(funnel.stage_events(f), w["current"], w[against])
    out["against"] = against
    out["sql"] = f.sql.get("leads", "")
    return out


def attribution_view(
    rt: Runtime, scope: Scope, credit: str = "revenue", period: str | None = None, key: str = "channel"
) -> dict[str, Any]:
    """Every attribution model side by side over the warehouse's journeys."""
    w = windows(rt, period)["current"] if period else None
    f = frames(rt, scope)
    j, summary = tj.build(f, credit, w.start if w else None, w.end if w else None, key=key)
    out = attribute(j).to_dict(value_label=credit)
    out["journeys"] = summary
    out["credit"] = credit
    out["period"] = w.label if w else "all time"
    return out


def campaigns_view(rt: Runtime, scope: Scope, period: str | None = None) -> dict[str, Any]:
    """Campaign influence, cost and ROI (cost only for unrestricted scopes)."""
    w = windows(rt, period)["current"] if period else None
    key = ("campaigns", w, repr(scope.to_dict()), rt.semantic.data_version(), rt.as_of())
    out = _cached(
        key,
        lambda: campaigns.campaign_table(
            frames(rt, scope), w.start if w else None, w.end if w else None, scoped=bool(scope.rows)
        ),
    )
    return {**out, "period": w.label if w else "all time"}


def acceleration_view(rt: Runtime, scope: Scope, by: str = "channel") -> dict[str, Any]:
    """Touched versus matched untouched deals per touch type."""
    key = ("acceleration", by, repr(scope.to_dict()), rt.semantic.data_version(), rt.as_of())
    return _cached(key, lambda: acceleration.acceleration(frames(rt, scope), by))


def alerts_view(rt: Runtime, scope: Scope) -> dict[str, Any]:
    """Alerts on the scoped series as of the data's date."""
    f = frames(rt, scope)
    key = ("alerts", repr(scope.to_dict()), rt.semantic.data_version(), rt.as_of())
    found = _cached(key, lambda: alerts.scan(f))
    return {"as_of": f.as_of.date().isoformat(), "alerts": [a.to_dict() for a in found]}


def outlook_view(rt: Runtime, scope: Scope) -> dict[str, Any]:
    """Pipeline and revenue expected from marketing next quarter, with range and backtest."""
    key = ("outlook", repr(scope.to_dict()), rt.semantic.data_version(), rt.as_of())

    def build() -> dict[str, Any]:
        f = frames(rt, scope)
        return {**outlook.expected(f), "backtest": outlook.backtest(f, 4)}

    return dict(_cached(key, build))


def marketing_report(rt: Runtime, scope: Scope, period: str | None = None) -> dict[str, Any]:
    """Everything the Marketing page shows, for one scope and period."""
    return {
        "period": windows(rt, period)["current"].label,
        "funnel": funnel_view(rt, scope, period, "region"),
        "dropping": dropping_view(rt, scope, period),
        "attribution": attribution_view(rt, scope, "revenue", period),
        "campaigns": campaigns_view(rt, scope, period),
        "acceleration": acceleration_view(rt, scope),
        "alerts": alerts_view(rt, scope),
        "outlook": outlook_view(rt, scope),
    }
