"""Competitor mention trends and churn alerts read from the scoped warehouse tables.

No conversations or customers service exists yet, so the brief reads these two signals itself,
through ``rt.semantic.scoped_table`` (the reader's scope applies) with simple, documented rules;
each result carries the SQL that produced it. When a conversations or customers service lands,
:mod:`revintel.briefs.signals` calls it instead (``competitor_trends`` / ``churn_alerts``).

* **Competitor mentions**: for every competitor named on an opportunity in scope, the number of
  conversations whose transcript mentions it in the quarter to date vs the average of the four
  quarters before.
* **Churn alerts**: accounts with active ARR whose monthly active users fell by at least
  :data:`USAGE_DROP` from six months ago to the latest month, or whose tickets in the last 90 days
  average a sentiment of :data:`SENTIMENT` or worse (at least two tickets).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from revintel.briefs.sections import Ctx

USAGE_DROP = 0.30
SENTIMENT = -0.30
PRIOR_QUARTERS = 4


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def months_back(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - n, 12)
    return dt.date(y, m + 1, 1)


def competitor_trends(ctx: Ctx) -> dict[str, Any]:
    """Per competitor: mentions this quarter to date, the prior quarterly average, and the SQL."""
    sem, wh = ctx.rt.semantic, ctx.rt.warehouse
    opps = sem.scoped_table("opportunities", ctx.scope, columns=["competitor"])
    names = sorted(
        {str(n) for n in wh.execute(opps.select("competitor").distinct())["competitor"].dropna() if n}
    )
    if not names:
        return {"competitors": [], "sql": None}
    q0 = quarter_start(ctx.day)
    lo = months_back(q0, 3 * PRIOR_QUARTERS)
    t = sem.scoped_table("conversations", ctx.scope, columns=["transcript", "occurred_at"])
    end = dt.datetime.combine(ctx.day, dt.time.max)
    t = t.filter(t.occurred_at >= dt.datetime.combine(lo, dt.time.min), t.occurred_at <= end)
    text, now = t.transcript.lower(), t.occurred_at >= dt.datetime.combine(q0, dt.time.min)
    aggs = {}
    for i, name in enumerate(names):
        hit = text.contains(name.lower())
        aggs[f"now_{i}"] = (hit & now).cast("int64").sum()
        aggs[f"before_{i}"] = (hit & ~now).cast("int64").sum()
    expr = t.aggregate(**aggs)
    row = wh.execute(expr).iloc[0]
    rows = []
    for i, name in enumerate(names):
        mentions, before = int(row[f"now_{i}"] or 0), int(row[f"before_{i}"] or 0)
        avg = before / PRIOR_QUARTERS
        rows.append(
            {"competitor": name, "mentions": mentions, "prior_avg": round(avg, 1), "change": mentions - avg}
        )
    label = f"{q0.year}-Q{(q0.month - 1) // 3 + 1} to {ctx.day.isoformat()}"
    return {"competitors": rows, "period": label, "sql": wh.compile(expr)}


def churn_alerts(ctx: Ctx) -> dict[str, Any]:
    """Accounts with active ARR showing a usage drop or negative ticket sentiment, with the SQL."""
    sem, wh = ctx.rt.semantic, ctx.rt.warehouse
    subs = sem.scoped_table("subscriptions", ctx.scope, columns=["account", "arr", "status", "renewal_date"])
    active = (
        subs.filter(subs.status == "active")
        .group_by(["account_id", "account"])
        .aggregate(arr=subs.arr.sum(), renewal_date=subs.renewal_date.min())
    )
    first_m, last_m = months_back(ctx.day, 6), months_back(ctx.day, 0)
    u = sem.scoped_table("usage_monthly", ctx.scope, columns=["active_users", "month"])
    u = u.filter(u.month.isin([first_m, last_m]))
    usage = u.group_by("account_id").aggregate(
        users_then=(u.month == first_m).ifelse(u.active_users, 0).sum(),
        users_now=(u.month == last_m).ifelse(u.active_users, 0).sum(),
    )
    tk = sem.scoped_table("tickets", ctx.scope, columns=["sentiment", "created_date"])
    tk = tk.filter(tk.created_date > ctx.day - dt.timedelta(days=90), tk.created_date <= ctx.day)
    tickets = tk.group_by("account_id").aggregate(tickets=tk.count(), sentiment=tk.sentiment.mean())
    expr = (
        active.left_join(usage, "account_id")
        .left_join(tickets, "account_id")
        .select(
            "account_id", "account", "arr", "renewal_date", "users_then", "users_now", "tickets", "sentiment"
        )
    )
    frame = wh.execute(expr)
    alerts = []
    for r in frame.to_dict("records"):
        reasons = []
        then, now = r.get("users_then") or 0, r.get("users_now") or 0
        if then and then == then and now == now and now <= (1 - USAGE_DROP) * then:
            reasons.append(f"active users down {100 * (1 - now / then):.0f}% in 6 months")
        n, s = r.get("tickets") or 0, r.get("sentiment")
        if n == n and n >= 2 and s is not None and s == s and s <= SENTIMENT:
            reasons.append(f"ticket sentiment {s:.2f} over {int(n)} tickets in 90 days")
        if reasons:
            alerts.append(
                {
                    "account_id": r["account_id"],
                    "account": r["account"],
                    "arr": float(r["arr"] or 0),
                    "renewal_date": r["renewal_date"],
                    "reason": "; ".join(reasons),
                    "signals": len(reasons),
                }
            )
    alerts.sort(key=lambda a: (-a["signals"], -a["arr"]))
    return {"alerts": alerts, "sql": wh.compile(expr)}
