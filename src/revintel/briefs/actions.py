"""Recommended actions: rules over the brief's own items, each citing what it is based on.

The rules are plain and ordered by what an executive would act on first: the biggest at-risk
deal, a forecast short of quota, the worst KPI against budget, slipping deals, a competitor surge,
churn alerts.
"""

from __future__ import annotations

from revintel.export.document import Item, Section

MAX_ACTIONS = 6


def _first(sections: dict[str, Section], sid: str) -> Item | None:
    s = sections.get(sid)
    return s.items[0] if s and s.items else None


def recommend(sections: list[Section]) -> list[Item]:
    """Up to six actions derived from the composed sections."""
    by_id = {s.id: s for s in sections}
    out: list[Item] = []
    risk = _first(by_id, "risks")
    if risk and risk.table and risk.table.rows:
        deal, account, _region, amount, _close, _p, why = risk.table.rows[0]
        reason = f": {why[0].lower()}{why[1:]}" if why else ""
        out.append(
            Item(
                "Review the top at-risk deal",
                f"Review {deal} ({account}, {amount}) with its owner this week{reason}.",
                citations=risk.citations,
                tone="bad",
            )
        )
    fc = by_id.get("forecast")
    gap = next((it for it in fc.items if it.title.startswith("Gap to quota")), None) if fc else None
    if gap:
        out.append(
            Item(
                "Close the gap to quota",
                f"{gap.text} Ask for a recovery plan with named deals.",
                citations=gap.citations,
                tone="bad",
            )
        )
    kpis = by_id.get("kpis")
    if kpis and kpis.items:
        worst = [it for it in kpis.items if it.tone == "bad"]
        if worst:
            out.append(
                Item(
                    "Act on the KPI furthest below budget",
                    f"{worst[0].text} Ask the owner for the driver and a plan.",
                    citations=worst[0].citations,
                    tone="bad",
                )
            )
    slip = _first(by_id, "slipped")
    if slip and slip.table and slip.table.rows:
        out.append(
            Item(
                "Re-confirm slipping deals",
                f"Re-confirm dates on slipped deals, starting with {slip.table.rows[0][0]} "
                f"({slip.table.rows[0][1]}).",
                citations=slip.citations,
                tone="warning",
            )
        )
    comp = _first(by_id, "competitors")
    if comp and comp.figures and comp.tone == "warning":
        name = comp.figures[0].label.removesuffix(" mentions")
        out.append(Item("Prepare for a competitor", f"Brief the account teams on {name}: {comp.text}",
                        citations=comp.citations, tone="warning"))
    churn = _first(by_id, "churn")
    if churn and churn.table and churn.table.rows:
        out.append(
            Item(
                "Call the largest churn risk",
                f"Call {churn.table.rows[0][0]} ({churn.table.rows[0][1]} ARR) before its renewal.",
                citations=churn.citations,
                tone="bad",
            )
        )
    return out[:MAX_ACTIONS]
