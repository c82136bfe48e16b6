"""Routing: questions whose figure another service owns are answered by that service's function.

The forecast (P10/P50/P90, expected, gap to quota, commit, best case) comes from
:func:`revintel.forecast.rollup.forecast`, the deals at risk from :func:`revintel.deals.risk.risk_list`,
one deal from :func:`revintel.deals.detail.deal_detail` and pipeline changes and slippage from
:func:`revintel.forecast.changes.pipeline_changes` — the same functions the Forecast and Deals pages
and the CLI call, with the same defaults, so Ask shows the same numbers. Ask never recomputes them.

A route is matched on the normalised question (:func:`match`); :func:`run` calls the service and
turns its result into an :class:`~revintel.ask.answer.Answer` whose ``route`` names the service,
the figure and the arguments used.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revintel.ask.answer import Answer, fmt
from revintel.ask.parse import Request
from revintel.ask.vocab import normalise
from revintel.errors import InvalidRequest
from revintel.semantic.time import parse_period

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

_FORECAST = (
    r"\bforecast(?:ed|s|ing)?\b|\bp(?:10|50|90)\b|\bbest[- ]case\b|\bgap to quota\b|"
    r"\bwill we (?:hit|make|reach)\b|\bon track to\b|\bexpected (?:revenue|bookings|to close)\b|"
    r"\bprojected\b|\bprojection\b|\blanding\b|"
    r"\b(?:upside|downside|worst|base|most likely|likely) (?:case|scenario|outcome)\b|"
    r"\b(?:commit|best[- ]case)\b.*\b(?:next|coming) (?:quarter|month|year)\b|"
    r"\b(?:next|coming) (?:quarter|month|year)'?s? (?:commit|best[- ]case)\b"
)
_NOT_FORECAST = r"\bsubmitted\b|\bsubmission|\bforecast call|\bforecast categor|\bbacktest|\baccuracy\b"
_RISK = (
    r"\bat[- ]risk\b|\briskiest\b|\brisky\b|\bmost risk\b|\bdeals? (?:in|at) danger\b|"
    r"\blikely to (?:be lost|lose|slip)\b|\bexpected loss\b|"
    r"\bat (?:the )?(?:highest|greatest|most|biggest|high|higher|serious|real) risk\b|"
    r"\b(?:with|having|carrying) (?:the )?(?:highest|greatest|most|biggest|high) risk\b|"
    r"\b(?:highest|greatest|biggest)[- ]risk (?:deals?|opportunit(?:y|ies)|opps?)\b|\bin jeopardy\b"
)
_CHANGES = (
    r"\bpipeline (?:changes?|changed|movement|moved|waterfall|bridge|walk)\b|\bwhat changed\b|"
    r"\bslip(?:ped|page|ping|s)?\b|"
    r"\bpushed (?:out|deals)\b|\bdeals? (?:were |got )?pushed\b|\bpulled in\b"
)
FIGURES = {
    "p10": r"\bp10\b|\bworst[- ]case\b|\bdownside\b|\blow (?:end|case)\b|\bconservative\b",
    "p90": r"\bp90\b|\bupside\b|\bhigh (?:end|case)\b|\boptimistic\b",
    "best_case": r"\bbest[- ]case\b",
    "commit": r"\bcommit(?:ted)?\b",
    "gap_to_quota": (
        r"\bgap to quota\b|\bquota gap\b|\bshort of quota\b|\bhit (?:our )?quota\b|\bmake (?:our )?quota\b|"
        r"\bversus quota\b|\bvs\.? quota\b|\bagainst quota\b"
    ),
    "expected": r"\bexpected\b|\bmean\b",
}
#: how far after the as-of date a forecast period may start
HORIZON_DAYS = 366
_FIGURE_LABEL = {
    "p50": "P50 (median)",
    "p10": "P10",
    "p90": "P90",
    "best_case": "best case call",
    "commit": "commit call",
    "gap_to_quota": "gap to quota at P50",
    "expected": "expected value",
}
_DEAL_ID = re.compile(r"\b([A-Z0-9]{8}|OPP-?\d{3,}|006[A-Za-z0-9]{12,15}|D-?\d{3,})\b")


@dataclass
class Route:
    """A matched route: the service, the figure asked for and its arguments."""

    service: str
    figure: str
    args: dict[str, Any] = field(default_factory=dict)


_COPILOT = (
    r"\bsummari[sz]e\b|\bsummary\b|\brecap\b|\bobjections?\b|\bconcerns?\b|\bnext best\b|"
    r"\bnext actions?\b|\bfollow[- ]?up\b|\be-?mail\b|\bcalls?\b"
)


def match(req: Request) -> Route | None:
    """The service that owns the figure ``req`` asks for, if any."""
    m = _DEAL_ID.search(req.question)
    if m and re.search(_COPILOT, normalise(req.question)):
        return Route("calls_copilot", "copilot", {"deal_id": m.group(1)})
    if req.intent == "route" and req.search:
        return Route("deal", "deal", {"deal_id": req.search})
    text = normalise(req.question)
    from revintel.marketing.ask import matches as marketing_match

    kind = marketing_match(text)
    if kind == "funnel":
        return Route("marketing_funnel", "dropping", {"period": req.period})
    revenue = req.metric in (None, "won_revenue") or (req.metric_text or "").lower() in ("revenue", "sales")
    if kind == "campaigns" and revenue:  # "the most leads": a governed ranking, not campaign influence
        top = max(req.limit or 10, 5)
        return Route("marketing_campaigns", "influenced_won", {"period": req.period, "top": top})
    from revintel.customers.ask import days_in
    from revintel.customers.ask import matches as customers_match

    customers = customers_match(text)
    if customers == "expansion" and (
        any(v.lower() == "expansion" for vals in req.filters.values() for v in vals)
        or re.search(r"\bexpansion (?:arr|revenue|recurring revenue|bookings)\b", text)
        or req.intent in ("share", "trend", "comparison", "breakdown")
    ):  # "won revenue from expansion deals", "expansion ARR by region": governed metrics, not the list
        customers = None
    if customers is not None:
        return Route(f"customers_{customers}", customers, {"days": days_in(text), "top": req.limit or 10})
    from revintel.deals.people_ask import matches as people_match

    if people := people_match(text):
        return Route("people", people["figure"], {"period": req.period, **people})
    if re.search(_RISK, text) and not _about_others(req, text):
        top = req.limit if req.limit and req.limit > 1 else 10  # "which deals are most at risk": the list
        return Route("deals_at_risk", "deals_at_risk", {"top": top})
    if re.search(_FORECAST, text) and not re.search(_NOT_FORECAST, text):
        figure = next((f for f, p in FIGURES.items() if re.search(p, text)), "p50")
        by = req.dimension if req.dimension in ("region", "rep", "team", "product", "stage") else None
        return Route("forecast", figure, {"period": req.period, "by": by})
    if re.search(_CHANGES, text) and re.search(r"\bpipeline\b|\bdeals?\b|\bslip", text):
        return Route("pipeline_changes", "pipeline_changes", {"period": req.period})
    m = _DEAL_ID.search(req.question)
    if m and re.search(r"\bdeal\b|\bopportunity\b|\bopp\b|\bstatus\b|\btell me\b|\bdetails?\b", text):
        return Route("deal", "deal", {"deal_id": m.group(1)})
    return None


#: what each service reads from the question (its words are explained, not "unresolved")
_READS = {
    "forecast": (_FORECAST, *FIGURES.values()),
    "deals_at_risk": (_RISK,),
    "pipeline_changes": (_CHANGES,),
}
#: metrics the forecast service forecasts (won revenue, its calls, the quota it is measured against, the
#: pipeline it is made from)
_FORECAST_METRICS = (
    *(None, "won_revenue", "sales_forecast", "forecast_best_case", "forecast_pipeline", "quota"),
    *("open_pipeline", "weighted_pipeline", "pipeline_closing"),  # what the forecast is made from
)
#: filters a service applies as a narrower row scope; the risk list also takes stage and product itself
SCOPE_FILTERS = ("region", "capability", "team", "rep")
_SERVICE_FILTERS = {"deals_at_risk": ("stage", "product")}
_SERVICE_NAME = {
    "forecast": "the forecast",
    "deals_at_risk": "the deal-risk list",
    "pipeline_changes": "the pipeline-changes view",
}


#: the figure a forecast is of: "the X forecast", "forecast X", "forecast of / for X"
_FORECAST_OF = r"\b([a-z]+) forecast\b|\bforecast(?:ed|s)? (?:of |for )?(?:the |our )?([a-z]+)\b"


def _about_others(req: Request, text: str) -> bool:
    """ "Which reps are at risk of missing quota": people or segments at risk, not the deal-risk list."""
    return bool(req.dimension) and not re.search(r"\bdeals?\b|\bopportunit|\bopps?\b|\bpipeline\b", text)


def unanswerable(route: Route, req: Request, catalogue: Any) -> str | None:
    """Why the routed service cannot answer ``req`` as asked, or None (never a silent substitute).

    A figure the catalogue lacks ("the EBITDA forecast"), a word neither the question's reading nor the
    service reads ("the headcount forecast"), a forecast of another metric than revenue ("the fee
    forecast"), or a filter the service cannot apply would otherwise get the service's usual answer.
    """
    if route.service not in _READS:
        return None
    name = _SERVICE_NAME[route.service]
    if req.unsupported:
        return f"{', '.join(req.unsupported)} is not a governed metric in the catalogue, so {name} has none"
    text = req.text or normalise(req.question)
    read = {
        w for p in _READS[route.service] for m in re.finditer(p, text) for w in re.findall(r"[a-z]+", m[0])
    }
    # the word a forecast is of ("the headcount forecast", "forecast of utilisation") must be read; other
    # words the service does not read ("the forecast range", "at risk of slipping") are left to it
    objects = {w for m in re.finditer(_FORECAST_OF, text) for w in m.groups() if w}
    unread = [w for w in req.unresolved if w not in read and w in objects]
    if unread:
        words = ", ".join(f"'{w}'" for w in unread)
        return f"{words} {'is' if len(unread) == 1 else 'are'} not something {name} shows"
    generic = (req.metric_text or "").lower() in ("revenue", "revenues", "sales", "bookings")
    if route.service == "forecast":
        named = [m for m in (None if generic else req.metric, *req.also_named) if m not in _FORECAST_METRICS]
        if named:
            label = catalogue.metric(named[0]).label.lower()
            return f"{name} forecasts won revenue (bookings); it has no forecast of {label}"
    other = [d for d in req.filters if d not in SCOPE_FILTERS + _SERVICE_FILTERS.get(route.service, ())]
    if other:
        dims = ", ".join(d.replace("_", " ") for d in other)
        return f"{name} cannot be limited to a {dims}"
    return None


def narrowed(scope: Scope, req: Request, route: Route | None = None) -> Scope:
    """``scope`` narrowed by the question's region / capability / team / rep filters (never widened);
    the filters are kept in the route's ``scope_filters`` (so the figure can be checked)."""
    rows = {d: set(v) for d, v in scope.filters.items()}
    applied = {d: list(v) for d, v in req.filters.items() if d in SCOPE_FILTERS and v}
    if route is not None and applied:
        route.args["scope_filters"] = applied
    for dim, values in applied.items():
        rows[dim] = rows[dim] & set(values) if dim in rows else set(values)
    if rows == {d: set(v) for d, v in scope.filters.items()}:
        return scope
    return dataclasses.replace(scope, rows=tuple(sorted((d, tuple(sorted(v))) for d, v in rows.items())))


def _where(req: Request) -> str:
    """ " for EMEA" / " for Laura Lopez": the filters a routed answer was narrowed by."""
    parts = [", ".join(v) for d, v in req.filters.items() if d in SCOPE_FILTERS and v]
    return (" for " + " / ".join(parts)) if parts else ""


def run(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    """Answer ``req`` with the service ``route`` names (the caller's scope applied by the service)."""
    return {
        "forecast": _forecast,
        "deals_at_risk": _risk,
        "pipeline_changes": _changes,
        "deal": _deal,
        "marketing_funnel": _marketing_funnel,
        "marketing_campaigns": _marketing_campaigns,
        "calls_copilot": _calls_copilot,
        "customers_churn": _customers,
        "customers_renewals": _customers,
        "customers_health": _customers,
        "customers_expansion": _customers,
        "customers_retention": _customers,
        "people": _people,
    }[route.service](rt, route, req, scope)


def figure_label(route: dict[str, Any]) -> str:
    """What a routed answer's figure is, for the "Read as" line ("forecast: P50 (median)")."""
    service, figure = str(route.get("service", "")), str(route.get("figure", ""))
    if service == "forecast":
        return f"forecast: {_FIGURE_LABEL.get(figure, figure)}"
    name = service.replace("_", " ")
    return name if figure in ("", service) else f"{name}: {figure.replace('_', ' ')}"


def _answer(req: Request, scope: Scope, route: Route, text: str, **kw: Any) -> Answer:
    return Answer(
        question=req.question,
        answer=text,
        intent="route",
        scope=scope.to_dict(),
        understood=req.to_dict(),
        route={"service": route.service, "figure": route.figure, **route.args},
        confidence=kw.pop("confidence", 0.9),
        **kw,
    )


def forecast_figure(out: dict[str, Any], figure: str) -> float | None:
    """One figure of a forecast's total row (as the Forecast page shows it)."""
    total = out["total"]
    value = total.get(figure)
    return None if value is None else float(value)


def _forecast(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.forecast.rollup import forecast

    out = forecast(rt, scope, route.args.get("period"), route.args.get("by")).to_dict()
    start, as_of = (
        dt.date.fromisoformat(str(out["period"]["start"])[:10]),
        dt.date.fromisoformat(out["as_of"][:10]),
    )
    if (start - as_of).days > HORIZON_DAYS:  # open deals say nothing about a period years ahead
        raise InvalidRequest(
            f"the forecast covers the year after the data's as-of date ({as_of.isoformat()}), "
            f"not {out['period']['label']}"
        )
    value = forecast_figure(out, route.figure)
    t = out["total"]
    label = _FIGURE_LABEL.get(route.figure, route.figure)
    when = out["period"]["label"] + _where(req)
    if value is None:
        text = f"The forecast for {when} has no {label} (no quota or submitted call for that period)."
    else:
        text = (
            f"Forecast for {when}: {label} {fmt(value, 'currency')} "
            f"(P10 {fmt(t['p10'], 'currency')}, P50 {fmt(t['p50'], 'currency')}, "
            f"P90 {fmt(t['p90'], 'currency')}; "
            f"won to date {fmt(t['won_to_date'], 'currency')}, {t['deals']} open deals)."
        )
    columns = [
        "key",
        "deals",
        "won_to_date",
        "expected",
        "p10",
        "p50",
        "p90",
        "quota",
        "gap_to_quota",
        "commit",
        "best_case",
    ]
    rows = [[r.get(c) for c in columns] for r in out["rows"]]
    route.args["period"] = out["period"]["label"]
    route.args["as_of"] = out["as_of"]
    return _answer(
        req, scope, route, text,
        value=value, unit="currency", columns=columns, rows=rows, period=out["period"],
        chart={"type": "bar", "x": "key", "y": ["p10", "p50", "p90"]},
        notes=["From the forecast service (the Forecast page's figures): a simulation over open deals "
               "with their win probabilities, plus revenue already won in the period."],
    )  # fmt: skip


def _risk(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.deals.risk import risk_list

    top = int(route.args.get("top") or 10)
    filters = {
        k: v[0] for k, v in req.filters.items() if k in ("region", "rep", "stage", "product") and len(v) == 1
    }
    out = risk_list(rt, scope, None, top, filters, explain=False)
    route.args["filters"] = filters
    deals = out.get("deals", [])
    columns = ["opportunity_id", "name", "expected_loss", "risk", "amount", "stage", "rep"]
    rows = [[d.get(c) for c in columns] for d in deals]
    route.args["deal_ids"] = [d.get("opportunity_id") for d in deals]
    if not deals:
        text = "No open deals at risk in your scope."
    else:
        first = deals[0]
        text = (
            f"{len(deals)} open deals most at risk (by expected loss = amount x risk): "
            + "; ".join(
                f"{d.get('name') or d.get('opportunity_id')} ({fmt(d.get('expected_loss'), 'currency')})"
                for d in deals[:5]
            )
            + f". Riskiest: {first.get('name') or first.get('opportunity_id')}."
        )
    return _answer(
        req, scope, route, text,
        value=float(deals[0]["expected_loss"]) if deals else None, unit="currency",
        columns=columns, rows=rows, chart={"type": "table"},
        notes=["From the deal-risk service (the Deals page's risk list)."],
    )  # fmt: skip


def _changes(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.forecast.changes import STEPS, pipeline_changes

    as_of = rt.as_of()
    period = parse_period(req.period, as_of, rt.settings.fiscal_year_start_month) if req.period else None
    if period is None:
        period = parse_period("last quarter", as_of, rt.settings.fiscal_year_start_month)
    start, end = period.start, min(period.end, as_of)
    out = pipeline_changes(rt, scope, start, end)
    t = out["total"]
    route.args.update({"from": start.isoformat(), "to": end.isoformat(), "period": period.label})
    text = (
        f"Pipeline{_where(req)} {start.isoformat()} -> {end.isoformat()}: {fmt(t['start'], 'currency')} -> "
        f"{fmt(t['end'], 'currency')} (created {fmt(t['created'], 'currency')}, "
        f"won {fmt(t['won'], 'currency')}, lost {fmt(t['lost'], 'currency')}, "
        f"pushed out {fmt(t['pushed_out'], 'currency')}, pulled in {fmt(t['pulled_in'], 'currency')}); "
        f"{len(out.get('alerts') or [])} slippage alert(s)."
    )
    columns = ["key", *STEPS]
    rows = [[r.get(c) for c in columns] for r in out["rows"]]
    pushed = "slip" in normalise(req.question) or "push" in normalise(req.question)
    return _answer(
        req, scope, route, text,
        value=float(t["pushed_out"] if pushed else t["end"] - t["start"]), unit="currency",
        columns=columns, rows=rows, chart={"type": "waterfall"},
        notes=["From the pipeline-changes service (the Pipeline changes page)."],
    )  # fmt: skip


def _deal(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.deals.detail import deal_detail

    deal_id = str(route.args["deal_id"])
    d = deal_detail(rt, scope, deal_id)
    keys = (
        "opportunity_id",
        "name",
        "account",
        "rep",
        "stage",
        "status",
        "amount",
        "close_date",
        "p_win",
        "risk",
    )
    deal = {k: d.get(k) for k in keys}
    amount = deal.get("amount")
    text = (
        f"Deal {deal_id} ({deal.get('name') or deal.get('account_id') or ''}): {deal.get('stage')}, "
        f"{fmt(amount, 'currency')}, owner {deal.get('rep')}"
        + (f", win probability {float(d['p_win']):.0%}" if d.get("p_win") is not None else "")
        + "."
    )
    return _answer(
        req, scope, route, text, value=float(amount) if amount is not None else None, unit="currency",
        columns=list(deal), rows=[list(deal.values())], chart={"type": "table"},
        notes=["From the deal service (the deal page)."],
    )  # fmt: skip


def _marketing_campaigns(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.marketing.ask import campaigns_answer

    out = campaigns_answer(rt, scope, route.args.get("period"), int(route.args.get("top") or 10))
    route.args["period"] = out["period"]
    return _answer(
        req, scope, route, out["text"], value=out["value"], unit="currency", columns=out["columns"],
        rows=out["rows"], chart={"type": "bar", "x": "campaign", "y": ["influenced_won", "sourced_won"]},
        notes=["From the campaign-influence service (the Marketing page's campaign table): influenced = won "
               "deals with a touch from the campaign before close; sourced = the deal's campaign."],
    )  # fmt: skip


def _marketing_funnel(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    from revintel.marketing.ask import funnel_answer

    out = funnel_answer(rt, scope, route.args.get("period"))
    return _answer(
        req, scope, route, out["text"], value=out["value"], unit="percent", columns=out["columns"],
        rows=out["rows"],
        chart={"type": "bar", "x": "region", "y": ["base_conversion", "current_conversion"]},
        sql=[out["sql"]],
        notes=["From the funnel decomposition (the Marketing page): stage contributions by the Shapley rule, "
               "then mix vs rate over channel and lead source."],
    )  # fmt: skip


def _customers(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    """Churn risk, renewals, health, expansion and the retention forecast, from the customers functions."""
    from revintel.customers import ask as cust

    kind, top = route.figure, int(route.args.get("top") or 10)
    chart: dict[str, Any]
    if kind in ("churn", "renewals"):
        days = route.args.get("days") or (90 if kind == "renewals" else None)
        route.args["days"] = days
        out = cust.risk_answer(rt, scope, days, top)
        route.args["account_ids"] = out["ids"]
        unit, chart, note = "currency", {"type": "table"}, "the renewal-risk list (the Customers page)"
    elif kind == "health":
        out = cust.health_answer(rt, scope, req.question)
        route.args["account_id"] = out["account_id"]
        unit, chart, note = (
            "number",
            {"type": "bar", "x": out["columns"][0], "y": [out["columns"][1]]}
            if out["rows"]
            else {"type": "table"},
            ("the health score (the customer page)" if out["account_id"] else "the health distribution"),
        )
    elif kind == "expansion":
        out = cust.expansion_answer(rt, scope, top)
        unit, chart, note = "currency", {"type": "table"}, "the expansion list (the Customers page)"
    else:
        out = cust.retention_answer(rt, scope, req.question)
        route = Route(route.service, out["figure"], route.args)
        unit, chart, note = (
            "percent",
            {"type": "bar", "x": "measure", "y": ["p10", "p50", "p90"]},
            ("the retention forecast (the Customers page)"),
        )
    return _answer(
        req, scope, route, out["text"], value=out["value"], unit=unit, columns=out["columns"],
        rows=out["rows"], chart=chart, notes=[f"From {note}: the same function the page and the CLI call."],
    )  # fmt: skip


def _people(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    """People on deals (buying roles, titles, seniority; win rate with an economic buyer or executive)."""
    from revintel.deals.people_ask import people_answer

    args = route.args
    out = people_answer(rt, scope, args.get("period"), route.figure, args["by"], args.get("order", "deals"))
    route.args.update({"period": out["period"]["label"], "by": out["by"]})
    return _answer(
        req, scope, route, out["text"], value=out["value"], unit="percent", columns=out["columns"],
        rows=out["rows"], sql=out["sql"], definitions=out["definitions"],
        chart={"type": "bar", "x": "key", "y": ["share_of_won", "share_of_lost"]},
        notes=["From the buying-group view (revintel deals people): catalogue metrics over the people on "
               "deals; shares are of the won (or lost) deals that have contacts recorded."],
    )  # fmt: skip


def _calls_copilot(rt: Runtime, route: Route, req: Request, scope: Scope) -> Answer:
    """The deal copilot (summaries, objections, next best actions, follow-up email) with its quotes."""
    from revintel.conversations.answer import copilot
    from revintel.conversations.data import check_domain

    check_domain(scope)  # Forbidden: the engine refuses
    out = copilot(rt, scope, req.question, deal=str(route.args["deal_id"]))
    quotes = _quotes(out.get("result"))
    if out.get("abstained"):
        return Answer(
            question=req.question, answer="No call of this deal supports an answer.", intent="unsupported",
            scope=scope.to_dict(), understood=req.to_dict(), notes=[out["result"]["reason"]],
        )  # fmt: skip
    rows = [[q["date"], q["at"], q["speaker"], q["text"], q["link"]] for q in quotes[:20]]
    return _answer(
        req, scope, Route(route.service, out["intent"], route.args), out["answer"],
        columns=["date", "at", "speaker", "quote", "link"], rows=rows, chart={"type": "table"},
        sources=[{"label": f"{q['id']} at {q['at']}", "link": q["link"]} for q in quotes[:20]],
        notes=["From the deal copilot (the conversations service); every line cites a call."],
    )  # fmt: skip


def _quotes(obj: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(obj, dict):
        if {"id", "conversation_id", "at", "text", "link"} <= set(obj):
            return [obj]
        for v in obj.values():
            found += [q for q in _quotes(v) if q["id"] not in {f["id"] for f in found}]
    elif isinstance(obj, list):
        for v in obj:
            found += [q for q in _quotes(v) if q["id"] not in {f["id"] for f in found}]
    return found
