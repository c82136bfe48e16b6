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
    """Competitor mention trends: the conversations service when installed, else transcript counts."""
    from revintel.briefs import customer_signals

    service = _service("revintel.conversations.trackers", "competitor_trends")
    result = service(ctx.rt, ctx.scope, as_of=ctx.day) if service else customer_signals.competitor_trends(ctx)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    rows = [r for r in data.get("competitors") or [] if (r.get("mentions") or 0) > 0]
    if not rows:
        raise Unavailable("No conversation in this scope mentions a competitor this quarter.")
    rows = sorted(rows, key=lambda r: (-(r.get("change") or 0), -(r.get("mentions") or 0)))[:6]
    top = rows[0]
    text = (
        f"{top['competitor']} was mentioned in {plural(int(top['mentions']), 'conversation')} "
        f"in {data.get('period') or 'this quarter'}"
    )
    if top.get("prior_avg") is not None:
        text += f", against an average of {top['prior_avg']:.1f} per quarter before"
    text += "."
    chart = ChartSpec(
        "bar",
        "Competitor mentions this quarter vs prior average",
        [r["competitor"] for r in rows],
        [
            Series("This quarter", [r.get("mentions") for r in rows]),
            Series("Prior average", [r.get("prior_avg") for r in rows]),
        ],
        "count",
    )
    cite = Citation(
        "Competitor mentions",
        sql=data.get("sql"),
        source="conversation transcripts mentioning competitors named on deals in scope",
    )
    item = Item(
        "Competitor mention trend",
        text,
        [Figure(f"{top['competitor']} mentions", top.get("mentions"), "count", "warning")],
        chart,
        citations=[cite],
        tone="warning",
    )
    return Section("competitors", "Competitor mentions", [item], summary=text)


def churn(ctx: Ctx) -> Section:
    """Churn alerts: the customers service when installed, else usage-drop and sentiment rules."""
    from revintel.briefs import customer_signals

    service = _service("revintel.customers.health", "churn_alerts")
    result = service(ctx.rt, ctx.scope, as_of=ctx.day) if service else customer_signals.churn_alerts(ctx)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    rows = list(data.get("alerts") or [])
    if not rows:
        raise Unavailable("No customer shows churn warning signs in this scope.")
    total = float(sum(r.get("arr") or 0 for r in rows))
    top = rows[0]
    text = (
        f"{plural(len(rows), 'customer')} with {money(total)} ARR show churn warning signs; "
        f"{top.get('account') or top.get('account_id')} ({money(top.get('arr'))} ARR): {top.get('reason')}."
    )
    table = TableSpec(
        ["Account", "ARR", "Renewal", "Why"],
        [
            [
                _s(r.get("account") or r.get("account_id")),
                money(r.get("arr")),
                _s(r.get("renewal_date"))[:10],
                _s(r.get("reason")),
            ]
            for r in rows[:8]
        ],
    )
    cite = Citation(
        "Churn alerts",
        sql=data.get("sql"),
        source=f"active subscriptions with usage down {int(100 * customer_signals.USAGE_DROP)}%+ "
        f"in 6 months or ticket sentiment <= {customer_signals.SENTIMENT} in 90 days",
    )
    item = Item(
        "Customers at risk of churn",
        text,
        [Figure("ARR at risk", total, "currency", "bad"), Figure("Customers", len(rows), "count")],
        table=table,
        citations=[cite],
        tone="bad",
    )
    return Section("churn", "Churn alerts", [item], summary=text)
