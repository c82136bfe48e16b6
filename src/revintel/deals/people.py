"""People on deals: which buying roles, titles and seniorities appear on won vs lost deals.

:func:`buying_group` is the one owner of the buying-group view the CLI (``revintel deals people``), the
API (``/api/deals/people``), the Deals page and Ask show. Every figure in it is a governed catalogue
metric run through the semantic layer under the caller's scope (``deals_with_contacts``,
``contact_win_rate``, ``economic_buyer_win_rate`` ...); the only arithmetic done here is a role's
share of the won (or lost) deals that have contacts, the deals it appears on over those deals, both
taken from ``deals_with_contacts``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from revintel.errors import InvalidRequest
from revintel.semantic import MetricQuery
from revintel.semantic.time import Period
from revintel.text import nearest

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope

#: the ways to break the buying group down (the word a caller uses -> dimension id)
BREAKDOWNS = {"role": "buying_role", "buying_role": "buying_role", "title": "title", "seniority": "seniority"}
WON, LOST = "Closed Won", "Closed Lost"
#: the headline figures, each a catalogue metric
HEADLINE = (
    "win_rate",
    "economic_buyer_win_rate",
    "no_economic_buyer_win_rate",
    "executive_win_rate",
    "no_executive_win_rate",
    "roles_per_deal",
    "deals_with_contacts",
)
ALL_TIME = Period(dt.date(1900, 1, 1), dt.date(2999, 12, 31), "range", "all time")


def breakdown(by: str | None) -> str:
    """The dimension id for ``by`` (role, title or seniority)."""
    key = (by or "role").strip().lower()
    if key not in BREAKDOWNS:
        raise InvalidRequest(
            f"cannot break the buying group down by {by!r}",
            hint=nearest(key, BREAKDOWNS) or "role, title or seniority",
            details={"field": "by", "value": by, "expected": "role, title or seniority"},
        )
    return BREAKDOWNS[key]


def buying_group(
    rt: Runtime,
    scope: Scope,
    period: str | Period | None = None,
    by: str | None = "role",
    top: int = 25,
    order: str = "deals",
) -> dict[str, Any]:
    """Buying roles (or titles, or seniorities) on won vs lost deals, with the win rate of each.

    Args:
        rt: the runtime.
        scope: the caller's row scope (applied by the compiler to every query).
        period: deals closed in this period (default: all time).
        by: ``role``, ``title`` or ``seniority``.
        top: at most this many rows.
        order: rank rows by the closed ``deals`` they appear on, or by ``won`` or ``lost`` deals.

    Returns:
        ``headline`` (each :data:`HEADLINE` metric), ``rows`` (key, won and lost deals it appears on,
        its share of the won and of the lost deals with contacts, the win rate of deals with it),
        ``won_with_contacts`` / ``lost_with_contacts`` (the shares' denominators), the period, the
        definitions and the SQL run.
    """
    dim = breakdown(by)
    layer = rt.semantic
    p = (None if period in (None, "") else layer.period(period)) or ALL_TIME
    closed = {"stage": [WON, LOST]}
    head = layer.query(MetricQuery(metrics=list(HEADLINE), period=p), scope)
    by_stage = layer.query(
        MetricQuery(metrics=["deals_with_contacts"], dimensions=[dim, "stage"], filters=closed, period=p),
        scope,
    )
    totals = layer.query(
        MetricQuery(metrics=["deals_with_contacts"], dimensions=["stage"], filters=closed, period=p), scope
    )
    rates = layer.query(MetricQuery(metrics=["contact_win_rate"], dimensions=[dim], period=p), scope)
    denominators = {r["stage"]: r["deals_with_contacts"] or 0 for r in totals.records()}
    won_total, lost_total = denominators.get(WON, 0), denominators.get(LOST, 0)
    table: dict[str, dict[str, Any]] = {}
    for r in by_stage.records():
        key = r[dim] if r[dim] is not None else "(none recorded)"
        row = table.setdefault(key, {"key": key, "won_deals": 0, "lost_deals": 0})
        row["won_deals" if r["stage"] == WON else "lost_deals"] = int(r["deals_with_contacts"] or 0)
    win = {
        (r[dim] if r[dim] is not None else "(none recorded)"): r["contact_win_rate"] for r in rates.records()
    }
    rows = []
    for row in table.values():
        row["share_of_won"] = row["won_deals"] / won_total if won_total else None
        row["share_of_lost"] = row["lost_deals"] / lost_total if lost_total else None
        row["win_rate"] = win.get(row["key"])
        rows.append(row)
    if order not in ("deals", "won", "lost"):
        raise InvalidRequest(
            f"cannot order by {order!r}", details={"field": "order", "expected": "deals, won, lost"}
        )
    count = {
        "deals": lambda r: r["won_deals"] + r["lost_deals"],
        "won": lambda r: r["won_deals"],
        "lost": lambda r: r["lost_deals"],
    }[order]
    rows.sort(key=lambda r: (-count(r), str(r["key"])))
    headline = head.records()[0] if head.rows else {}
    return {
        "by": dim,
        "order": order,
        "period": {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
        if p is not ALL_TIME
        else {"label": "all time", "start": None, "end": None},
        "headline": {m: headline.get(m) for m in HEADLINE},
        "won_with_contacts": int(won_total),
        "lost_with_contacts": int(lost_total),
        "columns": ["key", "won_deals", "lost_deals", "share_of_won", "share_of_lost", "win_rate"],
        "rows": rows[:top],
        "definitions": head.definitions + rates.definitions + by_stage.definitions,
        "sql": [head.sql, by_stage.sql, totals.sql, rates.sql],
    }


def summary_sentence(out: dict[str, Any]) -> str:
    """The view in one sentence (for Ask and the page)."""
    from revintel import format as fmt

    h = out["headline"]
    if not out["rows"]:
        return "No contacts are recorded on closed deals in your scope, so there is no buying-group view."
    parts = []
    if h.get("economic_buyer_win_rate") is not None:
        parts.append(
            f"win rate {fmt.percent(h['economic_buyer_win_rate'])} with an economic buyer vs "
            f"{fmt.percent(h.get('no_economic_buyer_win_rate'))} without"
        )
    if h.get("executive_win_rate") is not None:
        parts.append(
            f"{fmt.percent(h['executive_win_rate'])} with an executive (C-level or VP) vs "
            f"{fmt.percent(h.get('no_executive_win_rate'))} without"
        )
    top = out["rows"][0]
    lead = f"Deals closed ({out['period']['label']}): " + ("; ".join(parts) + ". " if parts else "")
    on = {"won": " on won deals", "lost": " on lost deals"}.get(out.get("order", "deals"), "")
    per_deal = fmt.value(h.get("roles_per_deal"), "ratio")
    return (
        lead + f"Most frequent {out['by'].replace('_', ' ')}{on}: {top['key']} "
        f"(on {fmt.percent(top['share_of_won'])} of won and {fmt.percent(top['share_of_lost'])} "
        f"of lost deals with contacts); contact roles per deal: {per_deal}."
    )
