"""Brief sections from deal outcomes, conversations and customers: wins and losses, competitor
mention trends, churn alerts. Rows are read through the semantic layer's scoped tables (so the
reader's scope applies) or taken from the conversations / customers services when installed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from revintel import format as fmt_mod
from revintel.briefs.narrative import plural
from revintel.briefs.sections import Ctx, Unavailable, money
from revintel.export.document import ChartSpec, Citation, Figure, Item, Section, Series, TableSpec

if TYPE_CHECKING:
    import ibis

    from revintel.scope import Scope

WINDOW_DAYS = 30


def _s(v: Any) -> str:
    """A cell as text; missing values (None, NaN, NaT) as ''."""
    return "" if v is None or v != v else str(v)


def wins_losses(ctx: Ctx) -> Section:
    """The largest deals won and lost in the last 30 days, from the scoped opportunities table."""
    start = ctx.day - dt.timedelta(days=WINDOW_DAYS)

    def build(scope: Scope) -> ibis.Table:
        t = ctx.rt.semantic.scoped_table("opportunities", scope)
        return (
            t.filter(t.status.isin(["won", "lost"]), t.close_date > start, t.close_date <= ctx.day)
            .select(
                "opportunity_id", "name", "account", "region", "status", "amount", "close_date", "competitor"
            )
            .order_by([t.amount.desc(), t.opportunity_id])
        )

    sql, frame = ctx.rt.semantic.shaped(("brief.wins_losses", start, ctx.day), ctx.scope, build)
    rows = frame.to_dict("records")
    if not rows:
        raise Unavailable(f"No deals were won or lost in the {WINDOW_DAYS} days to {fmt_mod.date(ctx.day)}.")
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
                    fmt_mod.date(r["close_date"]),
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
    """Competitor mention trends from the conversation trackers (aliases normalised, scope applied)."""
    from revintel.conversations.competitive import competitor_trends

    data = ctx.once("competitors", lambda: competitor_trends(ctx.rt, ctx.scope, as_of=ctx.day))
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
    for surge in data.get("surges") or []:
        text += (
            f" {surge['competitor']} surged in {surge['region']}: {surge['per_100']:.0f} mentions per 100"
            f" calls against {surge['prev_per_100']:.0f} the quarter before."
        )
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
        source="conversation trackers: competitors and their aliases named in calls and emails in scope",
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
    """Churn alerts from the customers package (:func:`revintel.customers.health.churn_alerts`): the
    customers whose churn risk is high or whose early-warning rules fire, by ARR at risk."""
    from revintel.customers.health import churn_alerts

    if "customers" not in ctx.scope.domains:
        raise Unavailable("Churn alerts are outside this role's data (customers).")
    data = churn_alerts(ctx.rt, ctx.scope)
    rows = list(data.get("alerts") or [])
    if not rows:
        raise Unavailable("No customer shows churn warning signs in this scope.")
    arr = float(sum(r["arr"] for r in rows))
    at_risk = float(sum(r["arr_at_risk"] for r in rows))
    top = rows[0]
    text = (
        f"{plural(len(rows), 'customer')} with {money(arr)} ARR show churn warning signs, "
        f"{money(at_risk)} of it at risk (churn probability x ARR); "
        f"{top.get('account') or top.get('account_id')} ({money(top.get('arr'))} ARR): {top.get('reason')}."
    )
    table = TableSpec(
        ["Account", "ARR", "Churn risk", "Renewal", "Why"],
        [
            [
                _s(r.get("account") or r.get("account_id")),
                money(r.get("arr")),
                fmt_mod.percent(r.get("p_churn"), 0),
                _s(r.get("renewal_date"))[:10],
                _s(r.get("reason")),
            ]
            for r in rows[:8]
        ],
    )
    cite = Citation("Churn alerts", sql=data.get("sql"), source=data.get("source"))
    item = Item(
        "Customers at risk of churn",
        text,
        [
            Figure("ARR at risk", at_risk, "currency", "bad"),
            Figure("ARR under alert", arr, "currency"),
            Figure("Customers", len(rows), "count"),
        ],
        table=table,
        citations=[cite],
        tone="bad",
    )
    return Section("churn", "Churn alerts", [item], summary=text)
