"""``/kpi/{metric}``: one KPI's drill-down, and CSV downloads of each of its tables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from revintel.errors import NotFound
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.runtime import Runtime
from revintel.scope import EXPORT, Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User
from revintel.services.metrics import metric_domain
from revintel.web import charts, csvout, kpiview
from revintel.web.filters import GlobalFilters, page_notes
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
PARTS = ("trend", "breakdown", "bridge")


def load_detail(request: Request, user: User, rt: Runtime, metric: str) -> tuple[GlobalFilters, Scope, dict]:
    """The filtered scope and the drill-down (403 outside the scope, 404 for an unknown metric)."""
    authz.drill(user, metric_domain(rt, metric))
    filters = GlobalFilters.from_request(request)
    scope = filters.apply(user.scope, page_notes(request))
    by = request.query_params.get("by") or None
    d = kpiview.detail(rt, metric, scope, filters.period, by)
    return filters, scope, {**d, "scope": scope.to_dict()}  # cached per rows: name this caller


@router.get("/kpi/{metric}", response_class=HTMLResponse)
def kpi_page(metric: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Trend vs budget and PY, breakdown by a chosen dimension, YTD waterfall, definition, SQL."""
    filters, scope, d = load_detail(request, user, rt, metric)
    unit, label = d["unit"], d["label"]
    audited(
        rt.appdb,
        user,
        "query",
        scope=scope,
        target=f"kpi/{metric}",
        detail={"period": filters.period, "by": d["by"]},
        rows=len(d["breakdown"]),
        sql="\n;\n".join(f"-- {k}\n{v}" for k, v in d["sql"].items()),
    )
    figures = kpiview.memo(
        rt,
        scope,
        ("charts", filters.period, metric, d["by"]),
        lambda: {
            "trend_chart": charts.trend_figure(d["trend"], unit, label),
            "breakdown_chart": charts.breakdown_figure(d["breakdown"], d["by"], unit, label)
            if d["by"]
            else None,
            "bridge_chart": charts.waterfall_figure(d["bridge"], unit),
            "breakdown_height": charts.breakdown_height(len(d["breakdown"])),
        },
    )
    ctx: dict[str, Any] = {
        "title": label,
        "d": d,
        "card": d["card"],
        "use_charts": True,
        "extra_params": {"by": d["by"]},
        "can_export": user.scope.allows(EXPORT),
        **figures,
    }
    return render(request, "kpi.html", ctx)


def part_table(d: dict[str, Any], part: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of one drill-down table."""
    if part == "trend":
        return ["month", "value", "budget", "prior_year", "var_budget", "var_py"], d["trend"]
    if part == "breakdown":
        return [d["by"], "value", "budget", "prior_year", "var_budget", "var_py"], d["breakdown"]
    if part == "bridge":
        b = d["bridge"] or {"steps": []}
        return ["label", "value"], b["steps"]
    raise NotFound(f"no table {part!r}", hint="one of " + ", ".join(PARTS))


@router.get("/kpi/{metric}/{part}.csv")
def kpi_csv(metric: str, part: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
    """One drill-down table as CSV (formula injection neutralised); audited as an export."""
    authz.require(user, EXPORT)
    GlobalFilters.from_request(request).apply(user.scope)  # a file cannot say "not applied": 403
    filters, scope, d = load_detail(request, user, rt, metric)
    columns, rows = part_table(d, part)
    body = csvout.records_csv(rows, columns, {c: d["unit"] for c in columns if c != columns[0]})
    sql = d["sql"].get(part) or d["sql"].get("trend")
    audited(
        rt.appdb,
        user,
        "export",
        scope=scope,
        target=f"kpi/{metric}/{part}.csv",
        detail={"format": "csv", "period": filters.period, "by": d["by"]},
        rows=len(rows),
        sql=sql,
    )
    name = csvout.filename(
        metric,
        part,
        d["by"] if part == "breakdown" else "",
        filters.region or "",
        filters.capability or "",
        filters.period or "ytd",
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
