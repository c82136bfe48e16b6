"""Brief sections from deal outcomes, conversations and customers: wins and losses, competitor
mention trends, churn alerts. Rows are read through the semantic layer's scoped tables (so the
reader's scope applies) or taken from the conversations / customers services when installed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from revintel.briefs.narrative import plural
from revintel.briefs.sections import Ctx, Unavailable, money
from revintel.export.document import ChartSpec, Citation, Figure, Item, Section, Series, TableSpec

WINDOW_DAYS = 30


def _s(v: Any) -> str:
    """A cell as text; missing values (None, NaN, NaT) as ''."""
    return "" if v is None or v != v else str(v)


def _service(module: str, attr: str) -> Any:
    """A function of an optional domain module, or None when that module is not installed."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError:
        return None
    return getattr(mod, attr, None)


def wins_losses(ctx: Ctx) -> Section:
    """The largest deals won and lost in the last 30 days, from the scoped opportunities table."""
    t = ctx.rt.semantic.scoped_table("opportunities", ctx.scope)
    start = ctx.day - dt.timedelta(days=WINDOW_DAYS)
    expr = (
        t.filter(t.status.isin(["won", "lost"]), t.close_date >= start, t.close_date <= ctx.day)
        .select("opportunity_id", "name", "account", "region", "status", "amount", "close_date", "competitor")
        .order_by([t.amount.desc(), t.opportunity_id])
    )
    rows = ctx.rt.warehouse.execute(expr).to_dict("records")
    if not rows:
        raise Unavailable(f"No deals were won or lost in the {WINDOW_DAYS} days to {ctx.day.isoformat()}.")
    sql = ctx.rt.warehouse.compile(expr)
    items = []
    for status, word in (("won", "win"), ("lost", "loss")):
        group = [r for r in rows if r["status"] == status]
        if not group:
            continue
        total = float(sum(r["amount"] or 0 for r in group))
        top = group[0]
        text = (
            f"{plural(len(group), word, 'wins' if word == 'win' else 'losses')} worth "
            f"{money(total)} in the last {WINDOW_DAYS} days; the largest is {top['opportunity_id']} "
            f"({top['account']}, {money(top['amount'])})"
        )
        if status == "lost" and _s(top.get("competitor")):
            text += f", lost to {top['competitor']}"
        text += "."
        table = TableSpec(
            ["Deal", "Account", "Region", "Amount", "Closed", "Competitor"],
            [
                [
                    r["opportunity_id"],
                    _s(r["account"]),
                    _s(r["region"]),
                    money(r["amount"]),
                    _s(r["close_date"])[:10],
                    _s(r.get("competitor")),
                ]
                for r in group[:6]
            ],
        )
        cite = Citation(
            f"Deals {status}",
            sql=sql,
            deal_ids=[r["opportunity_id"] for r in group],
            source="opportunities (scoped)",
        )
        items.append(
            Item(
                "Key wins" if status == "won" else "Key losses",
                text,
                [
                    Figure(
                        f"{'Won' if status == 'won' else 'Lost'} ({WINDOW_DAYS}d)",
                        total,
                        "currency",
                        "good" if status == "won" else "bad",
                    ),
                    Figure("Deals", len(group), "count"),
                ],
                table=table,
                citations=[cite],
                tone="good" if status == "won" else "bad",
            )
        )
    return Section("wins_losses", "Key wins and losses", items, summary=items[0].text)


def competitors(ctx: Ctx) -> Section:
    """Competitor mention trends from the conversations service (transcript trackers)."""
    trends = _service("revintel.conversations.trackers", "competitor_trends")
    if trends is None:
        raise Unavailable("Competitor mention trends need the conversations service, not available here.")
    result = trends(ctx.rt, ctx.scope, as_of=ctx.day)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    rows = data.get("competitors") or data.get("rows") or []
    if not rows:
        raise Unavailable("No conversations mention a competitor in this scope.")
    rows = sorted(rows, key=lambda r: -(r.get("mentions") or 0))[:6]
    top = rows[0]
    change = top.get("change")
    text = f"{top['competitor']} was mentioned in {plural(int(top.get('mentions') or 0), 'conversation')}"
    if change is not None:
        text += f" ({'+' if change >= 0 else ''}{int(change)} vs the previous period)"
    text += "."
    chart = ChartSpec(
        "bar",
        "Competitor mentions",
        [r["competitor"] for r in rows],
        [Series("Mentions", [r.get("mentions") for r in rows])],
        "count",
    )
    cite = Citation("Competitor mentions", sql=data.get("sql"), source="conversation transcripts (trackers)")
    return Section(
        "competitors",
        "Competitor mentions",
        [
            Item(
                "Competitor mention trend",
                text,
                [Figure(f"{top['competitor']} mentions", top.get("mentions"), "count")],
                chart,
                citations=[cite],
            )
        ],
        summary=text,
    )


def churn(ctx: Ctx) -> Section:
    """Churn alerts: customers the customers service flags, largest ARR at risk first."""
    alerts = _service("revintel.customers.health", "churn_alerts")
    if alerts is None:
        raise Unavailable("Churn alerts need the customers service, not available here.")
    result = alerts(ctx.rt, ctx.scope, as_of=ctx.day)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    rows = data.get("alerts") or data.get("rows") or []
    if not rows:
        raise Unavailable("No customer is flagged for churn in this scope.")
    rows = sorted(rows, key=lambda r: -(r.get("arr") or 0))[:8]
    total = float(sum(r.get("arr") or 0 for r in rows))
    top = rows[0]
    text = (
        f"{plural(len(rows), 'customer')} with {money(total)} ARR are flagged for churn; "
        f"the largest is {top.get('account') or top.get('account_id')} ({money(top.get('arr'))})."
    )
    table = TableSpec(
        ["Account", "ARR", "Renewal", "Churn risk", "Why"],
        [
            [
                r.get("account") or r.get("account_id") or "",
                money(r.get("arr")),
                str(r.get("renewal_date") or "")[:10],
                f"{100 * float(r.get('churn_probability') or r.get('risk') or 0):.0f}%",
                str(r.get("reason") or ""),
            ]
            for r in rows
        ],
    )
    cite = Citation("Churn alerts", sql=data.get("sql"), source="revintel.customers health and churn scores")
    return Section(
        "churn",
        "Churn alerts",
        [
            Item(
                "Customers at risk of churn",
                text,
                [Figure("ARR at risk", total, "currency", "bad"), Figure("Customers", len(rows), "count")],
                table=table,
                citations=[cite],
                tone="bad",
            )
        ],
        summary=text,
    )
