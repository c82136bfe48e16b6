"""The brief's KPI section, from the KPI engine's headline cards (``rt.kpis.summary``).

Each card becomes one item: value, variance vs budget and prior year, the main driver (the largest
step of the engine's YTD bridge), its sparkline as a chart, and a citation with the metric
definition and the exact SQL the engine ran. The period is the engine's default (the dashboard's),
so the brief's numbers are the dashboard's numbers.
"""

from __future__ import annotations

from typing import Any

from revintel import format as fmt_mod
from revintel.briefs.narrative import comparisons, variance_sentence
from revintel.briefs.sections import Ctx, Unavailable
from revintel.errors import RevintelError
from revintel.export.document import ChartSpec, Citation, Figure, Item, Section, Series
from revintel.semantic.query import MetricQuery

MAX_CARDS = 6


def kpi_section(ctx: Ctx, period: str | None = None, max_cards: int | None = MAX_CARDS) -> Section:
    """KPI cards as the dashboard shows them (same engine, same default period).

    The section's summary (the executive summary's first line) names the largest money gaps to
    budget and to prior year with the segment driving each.
    """
    engine = ctx.rt.kpis
    period = period or _period_for(ctx)
    cards = engine.summary(ctx.scope, period)[:max_cards]
    if not cards:
        raise Unavailable("No KPI has data in this scope.")
    items = [card_item(c.to_dict(), _driver(ctx, c, period)) for c in cards]
    label = period_words(cards[0].period)
    gaps = gaps_sentence(ctx, cards, period)
    if gaps:
        lead = f"{label[0].upper()}{label[1:]}, the largest gaps" if label else "Largest gaps"
        summary = f"{lead}: {gaps}"
    else:
        summary = items[0].text[:-1] + f" ({label})." if label else items[0].text
    return Section("kpis", "KPIs vs budget and prior year", items, summary=summary)


def period_words(period: dict[str, Any] | None) -> str | None:
    """A card's period for a sentence: ``year to 31 Dec 2025``, else the period's own label."""
    if not period:
        return None
    if period.get("grain") == "ytd":
        return f"year to {fmt_mod.date(period.get('end'))}"
    return period.get("label")


def _money_gap(card: Any, against: str) -> float | None:
    """The card's variance in money against ``budget`` or ``py`` (None for a non-money KPI)."""
    if card.unit != "currency":
        return None
    return card.var_budget if against == "budget" else card.var_py


def gaps_sentence(ctx: Ctx, cards: list[Any], period: Any = None) -> str | None:
    """``Net fees is $205.73M (-8.1%) below budget, driven by APAC (-$105.06M); ...``: the largest
    money gap to budget and to prior year, each with its driver (None without money KPIs)."""
    parts = []
    for against, word in (("budget", "budget"), ("py", "prior year")):
        gaps = [(c, _money_gap(c, against)) for c in cards]
        present: list[tuple[Any, float]] = [(c, g) for c, g in gaps if g is not None]
        if not present:
            continue
        card, gap = max(present, key=lambda cg: abs(cg[1]))
        pct = card.var_budget_pct if against == "budget" else card.var_py_pct
        text = (
            f"{card.label} is {fmt_mod.money(abs(gap))} ({fmt_mod.percent(abs(pct or 0.0))}) "
            f"{'below' if gap < 0 else 'above'} {word}"
        )
        top = top_mover(ctx, card, period, against)
        parts.append(text + (f", driven by {top[0]} ({top[1]})" if top else ""))
    if not parts:
        return None
    return "; ".join(parts) + "."


def money_impact(item: Item) -> float:
    """How much money an item's gap to budget is worth (0 when it is not a money KPI)."""
    gap = next((f.value for f in item.figures if f.label == "Gap to budget"), None)
    return abs(gap) if gap is not None and gap < 0 else 0.0


def _period_for(ctx: Ctx) -> Any:
    """None (the engine's default, as on the dashboard) on the data's as-of date, else YTD to the day."""
    if ctx.day == ctx.rt.as_of():
        return None
    from revintel.semantic.time import parse_period

    return parse_period("ytd", ctx.day, ctx.rt.settings.fiscal_year_start_month)


def _driver(ctx: Ctx, card: Any, period: Any = None, against: str | None = None) -> str | None:
    """The segment that moved the card most in the direction of its variance against ``budget``
    (default when the card has one) or ``py``, over the card's own period: ``APAC (-$105.06M vs budget)``."""
    against = against or ("budget" if card.budget is not None else "py")
    top = top_mover(ctx, card, period, against)
    return f"{top[0]} ({top[1]} vs {'budget' if against == 'budget' else 'prior year'})" if top else None


def top_mover(ctx: Ctx, card: Any, period: Any, against: str) -> tuple[str, str] | None:
    """(segment, its formatted variance) of the segment driving the card's variance, or None."""
    engine = ctx.rt.kpis
    total = card.var_budget if against == "budget" else card.var_py
    if total is None:
        return None
    try:
        m = engine.layer.catalogue.metric(card.metric)
        by = engine.breakdown_dimension(m, None, ctx.scope)
        if not by:
            return None
        p = engine.resolve_period(period)
        q = MetricQuery(metrics=[m.id], dimensions=[by], period=p, compare=[against])
        rows = engine.layer.query(q, ctx.scope).records()
    except RevintelError:
        return None
    moves = [
        (r.get(by), (r.get(m.id) or 0.0) - r[f"{m.id}_{against}"])
        for r in rows
        if r.get(f"{m.id}_{against}") is not None and r.get(by) not in (None, "")
    ]
    moves = [(k, v) for k, v in moves if (v < 0) == (total < 0)]
    if not moves:
        return None
    key, value = max(moves, key=lambda kv: abs(kv[1]))
    moved = fmt_mod.delta(value, card.unit)
    if moved.lstrip("+-") == fmt_mod.delta(0.0, card.unit).lstrip("+-"):
        return None  # a driver that rounds to nothing explains nothing
    return str(key), moved


def card_item(c: dict[str, Any], driver: str | None = None) -> Item:
    """One KPI card (``KpiCard.to_dict()``) as a document item."""
    unit = c.get("unit") or "number"
    label = c.get("label") or c.get("metric") or "KPI"
    vs_budget, vs_py, how = comparisons(c)
    text = variance_sentence(label, c.get("value"), unit, vs_budget, vs_py, driver)
    tone = c.get("status") or "neutral"
    figs = [Figure(label, c.get("value"), unit, tone)]
    if vs_budget is not None:
        figs.append(Figure("vs budget", vs_budget, how, c.get("status_budget") or "neutral"))
    if vs_py is not None:
        figs.append(Figure("vs PY", vs_py, how, c.get("status_py") or "neutral"))
    if unit == "currency" and c.get("var_budget") is not None:
        tone_b = c.get("status_budget") or "neutral"
        figs.append(Figure("Gap to budget", c.get("var_budget"), "currency", tone_b))
    spark = [p for p in c.get("sparkline") or [] if p.get("value") is not None]
    chart = None
    if len(spark) >= 2:
        chart = ChartSpec(
            "line",
            f"{label}, last 12 months",
            [fmt_mod.month(p.get("period")) for p in spark],
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
