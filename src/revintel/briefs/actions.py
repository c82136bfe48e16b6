"""Recommended actions: rules over the brief's own items, each citing what it is based on.

The rules are plain and ordered by what an executive would act on first: the biggest at-risk
deal, a forecast short of quota, the KPI whose gap to budget is worth the most money, slipping
deals (largest first), a competitor surge, churn alerts (largest ARR first). The actions are then
listed by the money each one is about, largest first.
"""

from __future__ import annotations

from revintel.briefs.kpis import money_impact
from revintel.export.document import Item, Section

MAX_ACTIONS = 6


def _first(sections: dict[str, Section], sid: str) -> Item | None:
    s = sections.get(sid)
    return s.items[0] if s and s.items else None


def _money(item: Item | None, label_start: str = "") -> float:
    """The money an item is about: its first figure whose label starts with ``label_start``."""
    if item is None:
        return 0.0
    for f in item.figures:
        if f.label.startswith(label_start) and f.value is not None and f.unit == "currency":
            return abs(float(f.value))
    return 0.0


def recommend(sections: list[Section]) -> list[Item]:
    """Up to six actions derived from the composed sections, the most money at stake first."""
    by_id = {s.id: s for s in sections}
    out: list[tuple[float, Item]] = []
    risk = _first(by_id, "risks")
    if risk and risk.table and risk.table.rows:
        deal, account, _region, amount, _close, _p, why = risk.table.rows[0]
        reason = f": {why[0].lower()}{why[1:]}" if why else ""
        text = f"Review {deal} ({account}, {amount}) with its owner this week{reason}."
        item = Item("Review the top at-risk deal", text, citations=risk.citations, tone="bad")
        out.append((_money(risk), item))
    fc = by_id.get("forecast")
    gap = next((it for it in fc.items if it.title.startswith("Gap to quota")), None) if fc else None
    if gap:
        text = f"{gap.text} Ask for a recovery plan with named deals."
        out.append((_money(gap), Item("Close the gap to quota", text, citations=gap.citations, tone="bad")))
    kpis = by_id.get("kpis")
    bad = [it for it in kpis.items if it.tone == "bad"] if kpis else []
    worst = sorted(bad, key=money_impact, reverse=True)
    if worst:
        text = f"{worst[0].text} Ask the owner for the driver and a plan."
        item = Item("Act on the largest KPI gap to budget", text, citations=worst[0].citations, tone="bad")
        out.append((money_impact(worst[0]), item))
    slip = _first(by_id, "slipped")
    if slip and slip.table and slip.table.rows:
        row = slip.table.rows[0]
        text = f"Re-confirm dates on slipped deals, starting with the largest, {row[0]} ({row[1]}, {row[3]})."
        out.append(
            (_money(slip), Item("Re-confirm slipping deals", text, citations=slip.citations, tone="warning"))
        )
    comp = _first(by_id, "competitors")
    if comp and comp.figures and comp.tone == "warning":
        name = comp.figures[0].label.removesuffix(" mentions")
        out.append(
            (
                0.0,
                Item(
                    "Prepare for a competitor",
                    f"Brief the account teams on {name}: {comp.text}",
                    citations=comp.citations,
                    tone="warning",
                ),
            )
        )
    churn = _first(by_id, "churn")
    if churn and churn.table and churn.table.rows:
        row = churn.table.rows[0]
        text = f"Call {row[0]} ({row[1]} ARR) before its renewal."
        out.append(
            (_money(churn), Item("Call the largest churn risk", text, citations=churn.citations, tone="bad"))
        )
    ranked = sorted(enumerate(out), key=lambda x: (-x[1][0], x[0]))  # money first, rule order on ties
    return [item for _, (_, item) in ranked][:MAX_ACTIONS]
