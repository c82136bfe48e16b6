"""Pages: Deals (risk dashboard), Deal detail, Forecast (with backtest), Pipeline changes.

Each page calls the same domain functions as the CLI and the API, under the caller's scope
narrowed by the global filters, so the numbers match ``revintel deals risk`` / ``forecast`` /
``pipeline changes`` for the same persona, filters and as-of date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revintel.api.deals import audited_risk_list, pipeline_scope
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.api.forecast import audited_changes, audited_forecast
from revintel.appdb import audit
from revintel.errors import InvalidRequest
from revintel.scope import DRILL
from revintel.web.charts import to_json
from revintel.web.filters import GlobalFilters
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(
    NavItem("Deals at risk", "/deals", section="Pipeline", permission=DRILL, domain="pipeline", order=30)
)
register(NavItem("Forecast", "/forecast", section="Pipeline", permission=DRILL, domain="pipeline", order=31))
register(
    NavItem(
        "Pipeline changes",
        "/pipeline/changes",
        section="Pipeline",
        permission=DRILL,
        domain="pipeline",
        order=32,
    )
)


def _date(request: Request, name: str, default: dt.date | None = None) -> dt.date | None:
    raw = request.query_params.get(name) or ""
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be a date (YYYY-MM-DD)", details={"value": raw[:40]}) from None


def _text(request: Request, name: str) -> str | None:
    v = (request.query_params.get(name) or "").strip()
    return v[:60] or None


@router.get("/deals", response_class=HTMLResponse)
def deals_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Open deals by expected loss, with risk, drivers and next actions; filters and as-of control."""
    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    as_of = _date(request, "as_of", rt.as_of())
    filters = {"stage": _text(request, "stage"), "rep": _text(request, "rep")}
    top = min(max(int(request.query_params.get("top") or 25), 1), 200)
    out = audited_risk_list(rt, user, scope, as_of, top, filters, "page/deals")
    return render(
        request,
        "deals.html",
        {
            "title": "Deals at risk",
            "r": out,
            "as_of": as_of,
            "stage": filters["stage"] or "",
            "rep": filters["rep"] or "",
            "top": top,
            "stages": ("Prospecting", "Qualification", "Proposal", "Negotiation"),
        },
    )


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(deal_id: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """One deal: win probability, risk, drivers, next actions, time to close and timeline."""
    from revintel.deals.detail import deal_detail

    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    as_of = _date(request, "as_of", rt.as_of())
    d = deal_detail(rt, scope, deal_id, as_of)
    audit.record(rt.appdb, actor=user.id, action="query", scope=scope, target=f"page/deals/{deal_id}", rows=1)
    return render(request, "deal.html", {"title": d.get("name") or deal_id, "d": d, "as_of": as_of})


def _range_figure(rows: list[dict[str, Any]]) -> str | None:
    if not rows:
        return None
    keys = [r["key"] for r in rows][::-1]
    fig = go.Figure()
    fig.add_bar(
        y=keys,
        x=[r["p90"] - r["p10"] for r in rows][::-1],
        base=[r["p10"] for r in rows][::-1],
        orientation="h",
        name="P10-P90",
        marker_color="rgba(60,120,200,0.35)",
    )
    fig.add_scatter(
        y=keys,
        x=[r["p50"] for r in rows][::-1],
        mode="markers",
        name="P50",
        marker={"color": "#1f4e99", "size": 10},
    )
    quota = [(r["key"], r["quota"]) for r in rows if r.get("quota")]
    if quota:
        fig.add_scatter(
            y=[k for k, _ in quota],
            x=[q for _, q in quota],
            mode="markers",
            name="quota",
            marker={"symbol": "line-ns-open", "size": 18, "color": "#b03030"},
        )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 30}, xaxis={"tickformat": "~s"}, legend={"orientation": "h"}
    )
    return to_json(fig)


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """P10/P50/P90 by a dimension with quota and submitted calls, and the backtest beside it."""
    from revintel.forecast.backtest import backtest

    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    as_of = _date(request, "as_of", rt.as_of())
    by = _text(request, "by") or "region"
    fc = audited_forecast(rt, user, scope, _text(request, "fperiod"), by, as_of, "page/forecast")
    periods = min(max(int(request.query_params.get("bt_periods") or 4), 1), 12)
    bt = backtest(rt, scope, periods, as_of)
    return render(
        request,
        "forecast.html",
        {
            "title": "Forecast",
            "use_charts": True,
            "f": fc,
            "bt": bt,
            "as_of": as_of,
            "by": by,
            "fperiod": _text(request, "fperiod") or "",
            "range_chart": _range_figure([*fc["rows"], fc["total"]]),
            "dims": ("region", "team", "rep", "product", "tier", "sector"),
        },
    )


def _waterfall_figure(total: dict[str, Any]) -> str:
    steps = [
        ("start", "absolute", 1),
        ("created", "relative", 1),
        ("increased", "relative", 1),
        ("decreased", "relative", -1),
        ("pulled_in", "relative", 1),
        ("pushed_out", "relative", -1),
        ("won", "relative", -1),
        ("lost", "relative", -1),
        ("end", "total", 1),
    ]
    fig = go.Figure(
        go.Waterfall(
            x=[s.replace("_", " ") for s, _, _ in steps],
            measure=[m for _, m, _ in steps],
            y=[sign * total[s] for s, _, sign in steps],
        )
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 30}, yaxis={"tickformat": "~s"})
    return to_json(fig)


@router.get("/pipeline/changes", response_class=HTMLResponse)
def changes_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Waterfall between two dates (it reconciles) and slippage alerts, by a dimension."""
    from revintel.forecast.changes import STEPS

    scope = GlobalFilters.from_request(request).apply(pipeline_scope(user))
    end = _date(request, "to", rt.as_of()) or rt.as_of()
    start = _date(request, "from", end - dt.timedelta(days=90)) or end
    by = _text(request, "by") or "region"
    out = audited_changes(rt, user, scope, start, end, by, "page/pipeline/changes")
    return render(
        request,
        "pipeline_changes.html",
        {
            "title": "Pipeline changes",
            "use_charts": True,
            "c": out,
            "steps": STEPS,
            "by": by,
            "chart_json": _waterfall_figure(out["total"]),
            "dims": ("region", "team", "rep", "product", "tier", "sector"),
        },
    )
