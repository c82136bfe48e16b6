"""``/``: the dashboard, one card per headline KPI of the user's (filtered) scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.web.filters import GlobalFilters
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Dashboard", "/", section="Overview", icon="▦", order=10))


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """KPI cards: value, variance vs budget and prior year, sparkline; each links to its drill-down."""
    filters = GlobalFilters.from_request(request)
    scope = filters.apply(user.scope)
    cards: list[Any] = []
    engine = getattr(rt, "kpis", None)
    if engine is not None:
        cards = engine.summary(scope, filters.period)
    return render(request, "dashboard.html", {"title": "Dashboard", "cards": cards, "engine": engine})


@router.get("/api/openapi.json")
def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    """The OpenAPI schema (signed-in users only, like every API route)."""
    return JSONResponse(request.app.openapi())
