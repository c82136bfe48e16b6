"""Pages: Deals (risk dashboard), Deal detail, Forecast (with backtest), Pipeline changes.

Each page calls the same domain functions as the CLI and the API, under the caller's scope
narrowed by the global filters, so the numbers match ``revintel deals risk`` / ``forecast`` /
``pipeline changes`` for the same persona, filters and as-of date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revintel import format as fmt_mod
from revintel.forecast import BACKTEST_PERIODS
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_date, query_int, query_text
from revintel.memo import remember
from revintel.scope import ANALYTICS, DRILL
from revintel.services.deals import audited_deal, audited_risk_list, model_card, pipeline_scope
from revintel.services.forecast import audited_backtest, audited_changes, audited_forecast
from revintel.web.charts import to_json
from revintel.web.filters import GlobalFilters, note_unapplied, page_scope
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

if TYPE_CHECKING:
    from revintel.runtime import Runtime

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
register(
    NavItem(
        "Win model", "/deals/model", section="Pipeline", permission=ANALYTICS, domain="pipeline", order=33
    )
)


def _date(request: Request, name: str, default: dt.date | None = None) -> dt.date | None:
    return query_date(request, name, default)


def pending(request: Request, rt: RuntimeDep, view: str, title: str, what: str) -> HTMLResponse | None:
    """A progress page when ``view``'s precomputed inputs are not ready within a second, else None."""
    if rt.precompute.wait(view, timeout=1.0):
        return None
    return render(request, "pending.html", {"title": title, "what": what, "status": rt.precompute.status()})


def _text(request: Request, name: str) -> str | None:
    return query_text(request, name)


@router.get("/deals", response_class=HTMLResponse)
def deals_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Open deals by expected loss, with risk, drivers and next actions; filters and as-of control."""
    scope = page_scope(request, pipeline_scope(user))
    if (wait := pending(request, rt, "deals", "Deals at risk", "the risk list")) is not None:
        return wait
    as_of = _date(request, "as_of", rt.as_of())
    filters = {"stage": _text(request, "stage"), "rep": _text(request, "rep")}
    top = query_int(request, "top", 25, 1, 200)
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


@router.get("/deals/model", response_class=HTMLResponse)
def model_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """The win model's card: test-window metrics beside the baselines, the forward test, the leakage audit."""
    from revintel.deals.model import ModelCard

    as_of = _date(request, "as_of", rt.as_of())
    card = model_card(rt, user, as_of)
    if GlobalFilters.from_request(request).active:
        note_unapplied(
            request,
            "The win model is one model for the whole firm: its test-window figures are not "
            "broken down by region or capability.",
        )
    describe = ModelCard(**card).describe()
    context = {"title": "Win model", "c": card, "describe": describe, "as_of": as_of}
    return render(request, "model.html", context)


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(deal_id: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """One deal: win probability, risk, drivers, next actions, time to close and timeline."""
    scope = page_scope(request, pipeline_scope(user))
    as_of = _date(request, "as_of", rt.as_of())
    d = audited_deal(rt, user, scope, deal_id, as_of, f"page/deals/{deal_id}")
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
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis=fmt_mod.plotly_axis("currency"),
        legend={"orientation": "h"},
    )
    return to_json(fig)


def _weekly_figure(weeks: list[dict[str, Any]], quota: float | None) -> str | None:
    """Cumulative revenue through the period: the P10-P90 band, expected, P50, actuals so far, quota."""
    if not weeks:
        return None
    x = [w["week_end"] for w in weeks]
    fig = go.Figure()
    fig.add_scatter(x=x, y=[w["p90"] for w in weeks], mode="lines", line={"width": 0}, showlegend=False)
    fig.add_scatter(
        x=x,
        y=[w["p10"] for w in weeks],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(60,120,200,0.25)",
        name="P10–P90",
    )
    fig.add_scatter(
        x=x, y=[w["expected"] for w in weeks], mode="lines", name="expected", line={"color": "#1f4e99"}
    )
    fig.add_scatter(
        x=x, y=[w["p50"] for w in weeks], mode="lines", name="P50", line={"color": "#1f4e99", "dash": "dot"}
    )
    done = [w for w in weeks if w["actual"] is not None]
    if done:
        fig.add_scatter(
            x=[w["week_end"] for w in done],
            y=[w["actual"] for w in done],
            mode="lines+markers",
            name="booked so far",
            line={"color": "#2a7a3a", "width": 3},
        )
    if quota:
        fig.add_hline(y=quota, line={"color": "#b03030", "dash": "dash"}, annotation_text="quota")
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        yaxis=fmt_mod.plotly_axis("currency"),
        xaxis={"tickformat": "%d %b"},
        legend={"orientation": "h"},
    )
    return to_json(fig)


@router.get("/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """P10/P50/P90 by a dimension with quota and submitted calls, and the backtest beside it."""
    scope = page_scope(request, pipeline_scope(user))
    periods = query_int(request, "bt_periods", BACKTEST_PERIODS, 1, 12)  # parameters first: a 400, no work
    if (wait := pending(request, rt, "forecast", "Forecast", "the forecast")) is not None:
        return wait
    as_of = _date(request, "as_of", rt.as_of())
    by = _text(request, "by") or "region"
    # the backtest first: it calibrates the band scale the forecast's P10-P90 use (forecast.bands)
    bt = audited_backtest(rt, user, scope, periods, as_of, "page/forecast/backtest")
    fc = audited_forecast(rt, user, scope, _text(request, "fperiod"), by, as_of, "page/forecast")
    return render(
        request,
        "forecast.html",
        {
            "title": "Forecast",
            "use_charts": True,
            "f": fc,
            "bt": bt,
            "mk": _marketing_line(rt, user, scope),
            "as_of": as_of,
            "by": by,
            "fperiod": _text(request, "fperiod") or "",
            **_forecast_charts(rt, fc),
            "calls_note": _calls_note(request, rt, scope, fc),
            "dims": ("region", "team", "rep", "product", "tier", "sector"),
        },
    )


def _forecast_charts(rt: Runtime, fc: dict[str, Any]) -> dict[str, str | None]:
    """The Forecast page's two charts (Plotly JSON), kept per data version, models and figures shown.

    Building a Plotly figure costs more than the rest of the page; the charts are a pure function of
    the forecast's rows, total and weeks (already the caller's scope), so they are keyed by those
    figures themselves: another scope, period or load gives other figures and other charts.
    """
    shown = [*fc["rows"], fc["total"]]
    digest = hashlib.sha256(
        json.dumps([shown, fc["weekly"]], sort_keys=True, default=str).encode()
    ).hexdigest()
    return remember(
        rt,
        "forecast charts",
        (digest,),
        lambda: {
            "range_chart": _range_figure(shown),
            "weekly_chart": _weekly_figure(fc["weekly"], fc["total"].get("quota")),
        },
    )


def _marketing_line(rt: Any, user: Any, scope: Any) -> dict[str, Any] | None:
    """The pipeline and revenue expected from marketing next quarter (roles that see marketing)."""
    from revintel.errors import Forbidden, NotFound
    from revintel.services.marketing import audited_outlook

    if "marketing" not in scope.domains:
        return None
    try:
        return audited_outlook(rt, user, scope, "page/forecast/marketing")
    except (Forbidden, NotFound):  # a capability filter (leads have none), or no marketing data loaded
        return None


def _calls_note(request: Request, rt: RuntimeDep, scope: Any, fc: dict[str, Any]) -> str:
    """Submitted calls beside the model's range, or why there are none (and the latest ones)."""
    from types import SimpleNamespace

    from revintel.forecast.calls import calls_sentence, latest_calls

    if "capability" in scope.filters:
        note_unapplied(
            request,
            "Quota and submitted calls are set per rep, not per capability: "
            "they are not shown for a capability.",
        )
    total = SimpleNamespace(**fc["total"])
    latest = None if total.commit is not None else latest_calls(rt, scope)
    return calls_sentence(total, fc["period"]["label"], latest)


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
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 30}, yaxis=fmt_mod.plotly_axis("currency"))
    return to_json(fig)


@router.get("/pipeline/changes", response_class=HTMLResponse)
def changes_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Waterfall between two dates (it reconciles) and slippage alerts, by a dimension."""
    from revintel.forecast.changes import STEPS

    scope = page_scope(request, pipeline_scope(user))
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
