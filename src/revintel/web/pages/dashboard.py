"""``/``: the dashboard, one card per headline KPI of the user's (filtered) scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from revintel.errors import Forbidden
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.scope import DRILL, EXPORT
from revintel.services.audited import audited
from revintel.web import charts, csvout, kpiview
from revintel.web.filters import GlobalFilters, page_notes
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Dashboard", "/", section="Overview", icon="▦", order=10))

SUMMARY_COLUMNS = (
    "metric",
    "label",
    "unit",
    "value",
    "budget",
    "var_budget",
    "var_budget_pct",
    "prior_year",
    "var_py",
    "var_py_pct",
    "period_start",
    "period_end",
)


def _cards(request: Request, user: Any, rt: Any) -> tuple[GlobalFilters, Any, list[dict[str, Any]]]:
    filters = GlobalFilters.from_request(request)
    scope = filters.apply(user.scope, page_notes(request))
    return filters, scope, kpiview.summary(rt, scope, filters.period)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """KPI cards: value, variance vs budget and prior year, sparkline; each links to its drill-down."""
    filters, scope, cards = _cards(request, user, rt)
    for c in cards:
        c["spark_points"] = charts.sparkline_points([p["value"] for p in c["sparkline"]])
    period = cards[0]["period"]["label"] if cards else (filters.period or "Year to date")
    audited(
        rt.appdb,
        user,
        "query",
        scope=scope,
        target="dashboard",
        detail={"period": filters.period, "metrics": [c["metric"] for c in cards]},
        rows=len(cards),
    )
    return render(
        request,
        "dashboard.html",
        {
            "title": "Dashboard",
            "cards": cards,
            "period_label": period,
            "can_drill": user.scope.allows(DRILL),
            "can_export": user.scope.allows(EXPORT),
        },
    )


@router.get("/dashboard.csv")
def dashboard_csv(request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
    """The dashboard's cards as CSV."""
    if not user.scope.allows(EXPORT):
        raise Forbidden(f"your role ({user.role}) cannot export", details={"permission": EXPORT})
    GlobalFilters.from_request(request).apply(user.scope)  # a file cannot say "not applied": 403
    filters, scope, cards = _cards(request, user, rt)
    rows = [{**c, "period_start": c["period"]["start"], "period_end": c["period"]["end"]} for c in cards]
    units = {c: "@unit" for c in ("value", "budget", "var_budget", "prior_year", "var_py")}
    units |= {"var_budget_pct": "percent", "var_py_pct": "percent"}  # machine values, rounded by unit
    body = csvout.records_csv(rows, SUMMARY_COLUMNS, units)
    audited(
        rt.appdb,
        user,
        "export",
        scope=scope,
        target="dashboard.csv",
        detail={"format": "csv", "period": filters.period},
        rows=len(rows),
        sql="\n;\n".join(c["sql"]["value"] for c in cards),
    )
    name = csvout.filename("kpis", filters.region or "", filters.capability or "", filters.period or "ytd")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/openapi.json")
def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    """The OpenAPI schema (signed-in users only, like every API route)."""
    return JSONResponse(request.app.openapi())
