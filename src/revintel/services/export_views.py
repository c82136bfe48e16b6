"""Documents for every exportable view: brief, board deck, dashboard, KPI drill-down, Ask answer,
risk list and forecast. Each adapter calls the view's own service with the caller's scope and
turns its result into a :class:`Document`; numbers are never recomputed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from revintel.errors import InvalidRequest
from revintel.export.document import ChartSpec, Citation, Document, Figure, Item, Section, Series, TableSpec
from revintel.scope import Scope
from revintel.text import nearest

if TYPE_CHECKING:
    from revintel.runtime import Runtime

ProgressFn = Callable[[str, float], None]
VIEWS = ("brief", "board", "dashboard", "kpi", "ask", "risks", "forecast", "marketing")
#: filters that narrow the row scope itself; other filters are passed to the view's service
SCOPE_DIMENSIONS = ("region", "capability", "team", "rep")


def narrow(scope: Scope, filters: dict[str, Any] | None) -> Scope:
    """``scope`` further narrowed by page filters (``{"region": "EMEA"}``); never widened."""
    rows = {dim: set(vals) for dim, vals in scope.filters.items()}
    for dim, value in (filters or {}).items():
        if dim not in SCOPE_DIMENSIONS or value in (None, "", []):
            continue
        wanted = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        rows[dim] = rows[dim] & wanted if dim in rows else wanted
    if rows == {d: set(v) for d, v in scope.filters.items()}:
        return scope
    return Scope(
        role=scope.role,
        rows=tuple(sorted((d, tuple(sorted(v))) for d, v in rows.items())),
        domains=scope.domains,
        permissions=scope.permissions,
        persona=scope.persona,
    )


def _doc(
    rt: Runtime,
    kind: str,
    title: str,
    scope: Scope,
    sections: list[Section],
    subtitle: str = "",
    headline: list[Figure] | None = None,
) -> Document:
    from revintel.appdb.base import utcnow

    day = rt.as_of()
    return Document(
        kind=kind,
        title=title,
        subtitle=subtitle or day.isoformat(),
        persona=scope.persona,
        scope=scope.describe(),
        as_of=day,
        generated_at=utcnow(),
        headline=headline or [],
        sections=[s for s in sections if s.items or s.note],
    )


def brief_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None
) -> Document:
    from revintel.briefs.compose import compose_brief, load_brief
    from revintel.briefs.service import persona_of

    if params.get("brief_id"):  # a stored brief, exactly as it was shown or sent (if scope covers it)
        raw = str(params["brief_id"])
        if not raw.isdigit() or len(raw) > 10:
            from revintel.errors import InvalidRequest

            raise InvalidRequest(
                "brief_id must be a positive whole number",
                details={"parameter": "brief_id", "value": raw[:40]},
            )
        return load_brief(rt.appdb, int(raw), scope)
    day = dt.date.fromisoformat(params["date"]) if params.get("date") else None
    return compose_brief(rt, scope, day, persona=persona_of(rt, scope), progress=progress)


def dashboard_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None
) -> Document:
    from revintel.briefs.kpis import kpi_section
    from revintel.briefs.sections import Ctx, Unavailable

    try:
        section = kpi_section(Ctx(rt, scope, rt.as_of()), params.get("period"), max_cards=None)  # every card
    except Unavailable as exc:
        section = Section("kpis", "KPIs", note=str(exc))
    filt = ", ".join(f"{k}={v}" for k, v in sorted((params.get("filters") or {}).items()) if v)
    return _doc(
        rt,
        "dashboard",
        "Dashboard",
        scope,
        [section] if section.items else [],
        subtitle=f"{rt.as_of().isoformat()}" + (f" · filters: {filt}" if filt else ""),
        headline=[it.figures[0] for it in section.items[:4] if it.figures],
    )


def risks_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None
) -> Document:
    from revintel.deals.risk import risk_list

    top = int(params.get("top") or 25)
    r = risk_list(rt, scope, top=top, filters=params.get("filters") or None, explain=False)
    deals = r["deals"]
    if not deals:
        return _doc(rt, "risks", "Risk list", scope, [])
    table = TableSpec(
        [
            "Deal",
            "Account",
            "Rep",
            "Region",
            "Stage",
            "Amount",
            "Close",
            "Win prob.",
            "Risk",
            "Expected loss",
        ],
        [
            [
                d["opportunity_id"],
                d.get("account") or "",
                d.get("rep") or "",
                d.get("region") or "",
                d.get("stage") or "",
                _money(d.get("amount")),
                d.get("close_date") or "",
                f"{100 * d['p_win']:.1f}%",
                f"{d['risk']:.1f}",
                _money(d["expected_loss"]),
            ]
            for d in deals
        ],
    )
    cite = Citation(
        "Deal risk",
        source=f"Deal risk score, win {r['model_words']}",
        deal_ids=[d["opportunity_id"] for d in deals],
    )
    figs = [
        Figure("Open deals", r["count"], "count"),
        Figure("Open amount", r["total_amount"], "currency"),
        Figure("Expected loss", r["total_expected_loss"], "currency", "bad"),
    ]
    chart = ChartSpec(
        "bar",
        "Expected loss, top deals",
        [d["opportunity_id"] for d in deals[:12]],
        [Series("Expected loss", [d["expected_loss"] for d in deals[:12]])],
        "currency",
    )
    text = (
        f"{r['count']:,} open deals; the top {len(deals)} by expected loss are listed, "
        f"led by {deals[0]['opportunity_id']} ({deals[0].get('account')})."
    )
    items = [
        Item("Expected loss", text, figs, chart, citations=[cite], tone="bad"),
        Item(
            "Risk list",
            f"The {len(deals)} deals with the largest expected loss.",
            table=table,
            citations=[cite],
        ),
    ]
    return _doc(rt, "risks", "Risk list", scope, [Section("risks", "At-risk deals", items)], headline=figs)


def forecast_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None
) -> Document:
    from revintel.briefs.sections import Ctx, forecast

    section = forecast(Ctx(rt, scope, rt.as_of()))
    return _doc(rt, "forecast", "Forecast", scope, [section], headline=section.items[0].figures[:4])


def kpi_document(rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None) -> Document:
    """A KPI drill-down: the card, monthly trend vs budget and PY, breakdown, YTD bridge."""
    from revintel.briefs.kpis import card_item
    from revintel.export.document import format_value

    metric = params.get("metric")
    if not metric:
        raise InvalidRequest("a KPI drill-down export needs a metric", hint="pass --metric NAME (metric id)")
    d = rt.kpis.detail(metric, scope, params.get("period"), params.get("by"))
    unit, label, sql = d["unit"], d["label"], d["sql"]
    head = card_item(d["card"])
    items = [head]
    trend = d.get("trend") or []
    if trend:
        months = [str(r["month"])[:7] for r in trend]
        series = [
            Series(label, [r["value"] for r in trend]),
            Series("Budget", [r["budget"] for r in trend]),
            Series("Prior year", [r["prior_year"] for r in trend]),
        ]
        series = [x for x in series if any(v is not None for v in x.values)]
        items.append(
            Item(
                f"{label} by month",
                f"{label} by month against budget and prior year.",
                chart=ChartSpec("line", f"{label} by month", months, series, unit),
                citations=[Citation(f"{label} trend", metric=metric, sql=sql.get("trend"))],
            )
        )
    by, rows = d.get("by"), d.get("breakdown") or []
    if by and rows:
        table = TableSpec(
            [by, label, "Budget", "vs budget", "Prior year", "vs PY"],
            [
                [
                    str(r[by]),
                    format_value(r["value"], unit),
                    format_value(r["budget"], unit),
                    format_value(r["var_budget"], unit),
                    format_value(r["prior_year"], unit),
                    format_value(r["var_py"], unit),
                ]
                for r in rows[:40]
            ],
        )
        top = rows[0]
        items.append(
            Item(
                f"{label} by {by}",
                f"{top[by]} has the largest {label.lower()}: {format_value(top['value'], unit)}.",
                chart=ChartSpec(
                    "bar",
                    f"{label} by {by}",
                    [str(r[by]) for r in rows[:12]],
                    [Series(label, [r["value"] for r in rows[:12]])],
                    unit,
                ),
                table=table,
                citations=[Citation(f"{label} by {by}", metric=metric, sql=sql.get("breakdown"))],
            )
        )
    bridge = d.get("bridge")
    if bridge and bridge.get("steps"):
        steps = bridge["steps"][:12]
        items.append(
            Item(
                f"{label}: YTD bridge vs {bridge['against']}",
                f"From {format_value(bridge['start'], unit)} ({bridge['against']}) to "
                f"{format_value(bridge['end'], unit)} (actual), by {bridge['by']}.",
                chart=ChartSpec(
                    "column",
                    f"Variance vs {bridge['against']} by {bridge['by']}",
                    [str(x["label"]) for x in steps],
                    [Series("Variance", [x["value"] for x in steps])],
                    unit,
                ),
                citations=[Citation("YTD bridge", metric=metric, sql=bridge.get("sql"))],
            )
        )
    return _doc(
        rt,
        "kpi",
        f"{label}: drill-down",
        scope,
        [Section("kpi", label, items)],
        subtitle=f"{d['period'].get('label', '')} · {rt.as_of().isoformat()}",
        headline=head.figures,
    )


def ask_document(rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None) -> Document:
    from revintel.ask.engine import AskEngine

    question = params.get("question")
    if not question:
        raise InvalidRequest("an Ask export needs a question", hint='pass --question "..."')
    a = AskEngine(rt).ask(question, scope, actor=params.get("actor") or "export", persist=False)
    cites = [
        Citation(
            d.get("label") or d.get("id") or "metric",
            metric=d.get("id"),
            definition=d.get("description"),
            sql="\n;\n".join(a.sql) or None,
        )
        for d in a.definitions
    ] or ([Citation("Query", sql="\n;\n".join(a.sql))] if a.sql else [])
    figs = [Figure(question[:40], a.value, _unit(a.unit))] if a.value is not None else []
    chart = _answer_chart(a.chart, a.columns, a.rows)
    table = (
        TableSpec([str(c) for c in a.columns], [[str(v) for v in r] for r in a.rows[:40]]) if a.rows else None
    )
    item = Item(question, a.answer, figs, chart, table, cites)
    if not a.supported:
        return _doc(rt, "ask", "Ask", scope, [])
    return _doc(rt, "ask", "Answer", scope, [Section("answer", question, [item])], headline=figs)


def _unit(unit: str | None) -> str:
    return {
        "currency": "currency",
        "money": "currency",
        "percent": "percent",
        "pct": "percent",
        "hours": "hours",
        "count": "count",
    }.get(unit or "", "number")


def _answer_chart(chart: dict[str, Any], columns: list[str], rows: list[list[Any]]) -> ChartSpec | None:
    if chart.get("type") not in ("bar", "line", "pie") or not rows or chart.get("x") not in columns:
        return None
    xi = columns.index(chart["x"])
    series = [
        Series(y, [_num(r[columns.index(y)]) for r in rows[:24]]) for y in chart.get("y", []) if y in columns
    ]
    if not series:
        return None
    return ChartSpec(
        "line" if chart["type"] == "line" else "bar",
        ", ".join(s.name for s in series),
        [str(r[xi]) for r in rows[:24]],
        series,
    )


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _money(v: float | None) -> str:
    from revintel.export.document import format_value

    return format_value(v, "currency")


def marketing_document(
    rt: Runtime, scope: Scope, params: dict[str, Any], progress: ProgressFn | None
) -> Document:
    from revintel.marketing.export import marketing_document as build

    return build(rt, scope, params, progress)


BUILDERS: dict[str, Callable[..., Document]] = {
    "brief": brief_document,
    "board": brief_document,
    "dashboard": dashboard_document,
    "kpi": kpi_document,
    "ask": ask_document,
    "risks": risks_document,
    "forecast": forecast_document,
    "marketing": marketing_document,
}


def build_document(
    rt: Runtime,
    view: str,
    scope: Scope,
    params: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
) -> Document:
    """The document for ``view`` (one of :data:`VIEWS`) within ``scope`` narrowed by ``params['filters']``."""
    if view not in BUILDERS:
        raise InvalidRequest(
            f"unknown view {view!r}", hint=nearest(view, VIEWS) or "one of " + ", ".join(VIEWS)
        )
    params = params or {}
    return BUILDERS[view](rt, narrow(scope, params.get("filters")), params, progress)
