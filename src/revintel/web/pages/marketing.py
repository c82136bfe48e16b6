"""The Marketing page: funnel, why a region drops, attribution models, campaign ROI, acceleration,
alerts and the next-quarter outlook, all from one :func:`revintel.services.marketing.audited_report`
call, so the page shows the numbers the API, CLI and brief show for the same persona and filters.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revintel import format as fmt_mod
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_text
from revintel.scope import DRILL
from revintel.services.marketing import audited_report, marketing_scope
from revintel.web.charts import to_json
from revintel.web.filters import page_scope
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(
    NavItem("Marketing", "/marketing", section="Pipeline", permission=DRILL, domain="marketing", order=40)
)

STAGE_LABELS = ("Leads", "MQLs", "SQLs", "Opportunities", "Closed Won")
STAGE_KEYS = ("lead", "mql", "sql", "opportunity", "won")
CHART_MODELS = ("first_touch", "last_touch", "linear", "position_based", "w_shaped", "markov_1", "shapley")


def _funnel_figure(rows: list[dict[str, Any]]) -> str | None:
    total = {k: sum(r[k] for r in rows) for k in STAGE_KEYS}
    if not total["lead"]:
        return None
    fig = go.Figure(
        go.Funnel(y=list(STAGE_LABELS), x=[total[k] for k in STAGE_KEYS], textinfo="value+percent initial")
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return to_json(fig)


def _models_figure(att: dict[str, Any], credit: str) -> str | None:
    models = [m for m in CHART_MODELS if m in att["models"]]
    if not att["channels"] or not models:
        return None
    cats = [r["channel"] for r in att["channels"]]
    fig = go.Figure(
        [go.Bar(name=att["labels"][m], x=cats, y=[r[m][credit] for r in att["channels"]]) for m in models]
    )
    fig.update_layout(
        barmode="group", margin={"l": 10, "r": 10, "t": 10, "b": 30}, yaxis=fmt_mod.plotly_axis("currency")
    )
    return to_json(fig)


@router.get("/marketing", response_class=HTMLResponse)
def marketing_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Funnel, attribution model comparison, campaign ROI, acceleration, alerts and outlook."""
    scope = page_scope(request, marketing_scope(user))
    mperiod = query_text(request, "mperiod")
    r = audited_report(rt, user, scope, mperiod, "page/marketing")
    from revintel.marketing.brief import alert_item

    return render(
        request,
        "marketing.html",
        {
            "title": "Marketing",
            "use_charts": True,
            "r": r,
            "mperiod": mperiod or "",
            "alert_items": [alert_item(a) for a in r["alerts"]["alerts"]],
            "funnel_chart": _funnel_figure(r["funnel"]["current"]["rows"]),
            "models_chart": _models_figure(r["attribution"], "revenue"),
            "stage_keys": STAGE_KEYS,
            "stage_labels": STAGE_LABELS,
        },
    )
