"""Ask answers for marketing questions, from the same report functions the Marketing page uses.

Two routes (registered in :mod:`revintel.ask.routes`): "which campaigns influenced the most
closed-won revenue [in 2025]" ranks campaigns by the won revenue of the deals they touched
(:func:`revintel.marketing.report.campaigns_view`), and "which region is dropping in the funnel
[and why]" answers with the stage and mix/rate decomposition
(:func:`revintel.marketing.report.dropping_view`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from revintel import format as fmt
from revintel.errors import Forbidden

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

CAMPAIGN_INFLUENCE = (
    r"\bcampaigns?\b.*\b(?:influenc\w*|attribut\w*|drove|driv\w*|generat\w*|brought)\b"
    r"|\b(?:influenc\w*|attribut\w*)\b.*\bcampaigns?\b"
)
FUNNEL_DROP = (
    r"\bfunnel\b.*\b(?:drop\w*|declin\w*|fall\w*|fell|worse\w*|leak\w*|break\w*|broke)\b"
    r"|\b(?:drop\w*|declin\w*|fall\w*|leak\w*)\b.*\bfunnel\b"
)
STAGE_WORDS = {
    "lead_to_mql": "lead-to-MQL",
    "mql_to_sql": "MQL-to-SQL",
    "sql_to_opportunity": "SQL-to-opportunity",
    "opportunity_to_won": "opportunity-to-won",
}


def matches(text: str) -> str | None:
    """``"campaigns"`` or ``"funnel"`` when the (normalised) question is one of ours."""
    if re.search(FUNNEL_DROP, text):
        return "funnel"
    if re.search(CAMPAIGN_INFLUENCE, text):
        return "campaigns"
    return None


def _check(scope: Scope) -> None:
    if "marketing" not in scope.domains:
        raise Forbidden("your role cannot see marketing data", hint="needs the 'marketing' domain")


def campaigns_answer(rt: Runtime, scope: Scope, period: str | None, top: int = 10) -> dict[str, Any]:
    """The campaigns ranked by influenced won revenue, as text, rows and the top value."""
    from revintel.marketing.report import campaigns_view

    _check(scope)
    out = campaigns_view(rt, scope, period)
    ranked = [c for c in out["campaigns"] if c["influenced_won"]][:top]
    columns = ["campaign", "influenced_won", "sourced_won", "markov_1_revenue", "w_shaped_revenue", "cost"]
    rows = [[c["name"], c["influenced_won"], c["sourced_won"], c.get("markov_1_revenue"),
             c.get("w_shaped_revenue"), c["cost"]] for c in ranked]  # fmt: skip
    if not ranked:
        text = f"No campaign touched a deal won in {out['period']} in your scope."
        return {"text": text, "columns": columns, "rows": [], "value": None, "period": out["period"]}
    best = ranked[0]
    others = "; ".join(f"{c['name']} {fmt.money(c['influenced_won'])}" for c in ranked[1:4])
    text = (
        f"{best['name']} influenced the most closed-won revenue ({out['period']}): "
        f"{fmt.money(best['influenced_won'])} won on deals it touched "
        f"({fmt.money(best['sourced_won'])} on deals it sourced; Markov credit "
        f"{fmt.money(best.get('markov_1_revenue'))})." + (f" Next: {others}." if others else "")
    )
    return {
        "text": text,
        "columns": columns,
        "rows": rows,
        "value": best["influenced_won"],
        "period": out["period"],
    }


def funnel_answer(rt: Runtime, scope: Scope, period: str | None) -> dict[str, Any]:
    """Which region is dropping in the funnel and why, as text, rows, the change and the SQL."""
    from revintel.marketing.report import dropping_view

    _check(scope)
    out = dropping_view(rt, scope, period)
    columns = ["region", "base_conversion", "current_conversion", "change", "lost_wins"]
    rows = [[g["group"], g["base_conversion"], g["current_conversion"], g["change"], g["lost_wins"]]
            for g in out["groups"]]  # fmt: skip
    d = out.get("dropping")
    if not d:
        text = f"No region's end-to-end funnel conversion fell in {out['window']} against {out['base']}."
        return {"text": text, "columns": columns, "rows": rows, "value": None, "sql": out["sql"]}
    g = out["groups"][0]
    stage = next(s for s in d["stages"]["stages"] if s["stage"] == d["stage"])
    text = (
        f"{d['group']} is dropping most in the funnel ({out['window']} vs {out['base']}): end-to-end "
        f"conversion {fmt.percent(g['base_conversion'])} -> {fmt.percent(g['current_conversion'])}, about "
        f"{g['lost_wins']:.0f} fewer wins at this lead volume. The {STAGE_WORDS.get(d['stage'], d['stage'])} "
        f"stage ({fmt.percent(stage['base_rate'])} -> {fmt.percent(stage['current_rate'])}) accounts for "
        f"{fmt.points(stage['contribution'])} of the {fmt.points(g['change'])}."
    )
    parts = [m for m in d["mix_vs_rate"] if m["segments"]]
    if parts:
        m = max(parts, key=lambda p: abs(p["segments"][0]["total_effect"]))
        seg = m["segments"][0]
        kind = "mix" if abs(m["mix_effect"]) >= abs(m["rate_effect"]) else "rate"
        text += (
            f" Mostly {kind}: by {m['dimension'].replace('_', ' ')}, {seg['segment']} went from "
            f"{fmt.percent(seg['base_share'])} to {fmt.percent(seg['current_share'])} of entrants, "
            "converting "
            f"{fmt.percent(seg['base_rate'])} -> {fmt.percent(seg['current_rate'])}."
        )
    return {"text": text, "columns": columns, "rows": rows, "value": g["change"], "sql": out["sql"]}
