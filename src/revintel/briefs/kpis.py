"""The brief's KPI section, from the KPI engine's summary cards (``rt.kpis.summary``).

Each card becomes one item: value, variance vs budget and prior year, the main driver, its
sparkline as a chart, and a citation with the metric definition and the exact SQL the engine ran.
"""

from __future__ import annotations

from typing import Any

from revintel.briefs.narrative import variance_sentence
from revintel.briefs.sections import Ctx, Unavailable
from revintel.export.document import ChartSpec, Citation, Figure, Item, Section, Series

MAX_CARDS = 6


def _dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def kpi_section(ctx: Ctx) -> Section:
    """KPI cards for the month of the brief's date."""
    try:
        from revintel.semantic.kpi import KpiEngine  # noqa: F401
    except ModuleNotFoundError:
        raise Unavailable("KPI cards need the KPI engine, not available here.") from None
    summary = _dict(ctx.rt.kpis.summary(ctx.scope, None))
    cards = [_dict(c) for c in summary.get("cards", [])][:MAX_CARDS]
    if not cards:
        raise Unavailable("No KPI has data in this scope.")
    items = [card_item(c) for c in cards]
    bad = [it for it in items if it.tone == "bad"]
    summary_text = bad[0].text if bad else items[0].text
    return Section("kpis", "KPIs vs budget and prior year", items, summary=summary_text)


def card_item(c: dict[str, Any]) -> Item:
    """One KPI card as a document item."""
    unit = c.get("unit") or c.get("format") or "number"
    label = c.get("label") or c.get("metric")
    vs_budget, vs_py = c.get("vs_budget_pct"), c.get("vs_py_pct")
    driver = (
        c.get("driver") or (c.get("drivers") or [{}])[0].get("text") if c.get("drivers") else c.get("driver")
    )
    text = variance_sentence(label, c.get("value"), unit, vs_budget, vs_py, driver)
    good_up = c.get("higher_is_better", True)
    tone = "neutral"
    if vs_budget is not None:
        tone = "good" if (vs_budget >= 0) == bool(good_up) else "bad"
    figs = [Figure(label, c.get("value"), unit, tone)]
    if vs_budget is not None:
        figs.append(Figure("vs budget", vs_budget, "percent", tone))
    if vs_py is not None:
        figs.append(Figure("vs PY", vs_py, "percent"))
    spark = c.get("sparkline") or []
    chart = None
    if spark:
        chart = ChartSpec(
            "line",
            f"{label} by month",
            [str(p.get("period") or p.get("label"))[:7] for p in spark],
            [Series(label, [p.get("value") for p in spark])],
            unit,
        )
    cite = Citation(label, metric=c.get("metric"), definition=c.get("definition"), sql=c.get("sql"))
    return Item(label, text, figs, chart, citations=[cite], tone=tone)
