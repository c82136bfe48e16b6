"""The brief's KPI section, from the KPI engine's headline cards (``rt.kpis.summary``).

Each card becomes one item: value, variance vs budget and prior year, the main driver (the largest
step of the engine's YTD bridge), its sparkline as a chart, and a citation with the metric
definition and the exact SQL the engine ran. The period is the engine's default (the dashboard's),
so the brief's numbers are the dashboard's numbers.
"""

from __future__ import annotations

from typing import Any

from revintel.briefs.narrative import variance_sentence
from revintel.briefs.sections import Ctx, Unavailable
from revintel.errors import RevintelError
from revintel.export.document import ChartSpec, Citation, Figure, Item, Section, Series, format_value

MAX_CARDS = 6


def kpi_section(ctx: Ctx, period: str | None = None) -> Section:
    """KPI cards as the dashboard shows them (same engine, same default period)."""
    engine = ctx.rt.kpis
    period = period or _period_for(ctx)
    cards = engine.summary(ctx.scope, period)[:MAX_CARDS]
    if not cards:
        raise Unavailable("No KPI has data in this scope.")
    items = [card_item(c.to_dict(), _driver(ctx, c, period)) for c in cards]
    bad = [it for it in items if it.tone == "bad"]
    label = cards[0].period.get("label") if cards[0].period else None
    return Section(
        "kpis",
        "KPIs vs budget and prior year",
        items,
        summary=(bad[0].text if bad else items[0].text) + (f" ({label})" if label else ""),
    )


def _period_for(ctx: Ctx) -> Any:
    """None (the engine's default, as on the dashboard) on the data's as-of date, else YTD to the day."""
    if ctx.day == ctx.rt.as_of():
        return None
    from revintel.semantic.time import parse_period

    return parse_period("ytd", ctx.day, ctx.rt.settings.fiscal_year_start_month)


def _driver(ctx: Ctx, card: Any, period: Any = None) -> str | None:
    """The largest contributor to the variance, from the engine's bridge (None if it has none)."""
    engine = ctx.rt.kpis
    try:
        m = engine.layer.catalogue.metric(card.metric)
        by = engine.breakdown_dimension(m, None, ctx.scope)
        bridge = engine.bridge(m, ctx.scope, engine.resolve_period(period), by) if by else None
    except RevintelError:
        return None
    steps = [
        s for s in (bridge or {}).get("steps", []) if s.get("label") != "mix and rate" and s.get("value")
    ]
    if not steps:
        return None
    top = steps[0]
    against = "budget" if bridge and bridge.get("against") == "budget" else "prior year"
    sign = "+" if top["value"] > 0 else "-"
    return f"{top['label']} ({sign}{format_value(abs(top['value']), card.unit)} vs {against})"


def card_item(c: dict[str, Any], driver: str | None = None) -> Item:
    """One KPI card (``KpiCard.to_dict()``) as a document item."""
    unit = c.get("unit") or "number"
    label = c.get("label") or c.get("metric") or "KPI"
    vs_budget, vs_py = c.get("var_budget_pct"), c.get("var_py_pct")
    text = variance_sentence(label, c.get("value"), unit, vs_budget, vs_py, driver)
    tone = c.get("status") or "neutral"
    figs = [Figure(label, c.get("value"), unit, tone)]
    if vs_budget is not None:
        figs.append(Figure("vs budget", vs_budget, "percent", c.get("status_budget") or "neutral"))
    if vs_py is not None:
        figs.append(Figure("vs PY", vs_py, "percent", c.get("status_py") or "neutral"))
    spark = [p for p in c.get("sparkline") or [] if p.get("value") is not None]
    chart = None
    if len(spark) >= 2:
        chart = ChartSpec(
            "line",
            f"{label}, last 12 months",
            [str(p.get("period"))[:7] for p in spark],
            [Series(label, [p.get("value") for p in spark])],
            unit,
        )
    definition = c.get("definition") or {}
    sql = c.get("sql") or {}
    parts = [
        definition.get("description"),
        *(f"{k}: {definition[k]}" for k in ("formula", "table", "where", "budget") if definition.get(k)),
    ]
    cite = Citation(
        label,
        metric=c.get("metric"),
        definition="; ".join(p for p in parts if p) or None,
        sql=sql.get("value") if isinstance(sql, dict) else sql,
    )
    return Item(label, text, figs, chart, citations=[cite], tone=tone)
