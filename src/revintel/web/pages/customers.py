"""The Customers page (health distribution, at-risk renewals, expansion list, retention forecast) and
one page per customer. Both call the same :mod:`revintel.services.customers` functions as the API."""

from __future__ import annotations

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_int
from revintel.scope import DRILL
from revintel.services import customers as svc
from revintel.web.charts import to_json
from revintel.web.filters import GlobalFilters, page_scope
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(
    NavItem("Customers", "/customers", section="Customers", permission=DRILL, domain="customers", order=10)
)


def _health_figure(values: list[int]) -> str | None:
    if not values:
        return None
    fig = go.Figure(go.Histogram(x=values, xbins={"start": 0, "end": 100, "size": 10}))
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 30}, xaxis_title="health (0-100)", yaxis_title="customers"
    )
    return to_json(fig)


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Health distribution, renewals at risk in 90 days, the expansion list and the retention forecast."""
    scope = page_scope(request, svc.customers_scope(user))
    everyone = svc.audited_risk(rt, user, scope, None, 10_000, "page/customers")
    risk = svc.audited_risk(rt, user, scope, 90, 20, "page/customers/risk")
    expansion = svc.audited_expansion(rt, user, scope, 15, "page/customers/expansion")
    retention = svc.audited_retention(rt, user, scope, "page/customers/retention")
    return render(
        request,
        "customers.html",
        {
            "title": "Customers",
            "use_charts": True,
            "risk": risk,
            "expansion": expansion,
            "retention": retention,
            "health_chart": _health_figure(
                [r["health"] for r in everyone["renewals"] if r["health"] is not None]
            ),
            "book": everyone,
        },
    )


_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export_route(which: str, fmt: str) -> None:
    @router.get(f"/customers/export/{which}.{fmt}", name=f"customers_export_{which}_{fmt}")
    def export(request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
        """The list as a file, for every customer in the caller's scope (a filter outside it is a 403:
        a file cannot say it was not applied)."""
        # without notes, a filter outside the scope is Forbidden (a page would leave it out and say so)
        scope = GlobalFilters.from_request(request).apply(svc.customers_scope(user))
        days = (query_int(request, "days", 0, 0, 3650) or None) if which == "risk" else None
        body = svc.audited_export(rt, user, scope, which, fmt, f"customers/export/{which}.{fmt}", days)
        name = f"customers-{which}{'-' + str(days) + 'd' if days else ''}-{rt.as_of().isoformat()}.{fmt}"
        return Response(
            body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )


for _which in svc.EXPORT_LISTS:
    for _fmt in svc.EXPORT_FORMATS:
        _export_route(_which, _fmt)


@router.get("/customers/{account_id}", response_class=HTMLResponse)
def customer_page(account_id: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """One customer: contract, health trend, churn drivers, usage, tickets, calls and next actions."""
    scope = page_scope(request, svc.customers_scope(user))
    c = svc.audited_customer(rt, user, scope, account_id, f"page/customers/{account_id}")
    return render(request, "customer.html", {"title": c["account"] or account_id, "c": c})
