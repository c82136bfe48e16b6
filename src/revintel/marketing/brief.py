"""The brief's marketing section and alert delivery (deduplicated, with a cool-down).

The section states the alerts, the funnel's end-to-end conversion against the previous period,
the region dropping most and why, the campaign that influenced the most won revenue and the
pipeline expected from marketing next quarter; every number comes from
:mod:`revintel.marketing.report` and is formatted by :mod:`revintel.format`.

Alerts go out through the brief delivery channels (email, Slack, Teams). Each alert is sent once
per channel (its idempotency key is the alert's metric, slice and start date) and an alert on the
same metric and slice is held back for ``cooldown_days`` after one was sent.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from revintel import format as fmt
from revintel.export.document import Citation, Document, Figure, Item, Section

if TYPE_CHECKING:
    from revintel.briefs.sections import Ctx
    from revintel.delivery.base import Target
    from revintel.runtime import Runtime

COOLDOWN_DAYS = 7
STAGE_WORDS = {
    "lead_to_mql": "lead-to-MQL",
    "mql_to_sql": "MQL-to-SQL",
    "sql_to_opportunity": "SQL-to-opportunity",
    "opportunity_to_won": "opportunity-to-won",
}


def _change_text(a: dict[str, Any]) -> str:
    unit = "currency" if a["unit"] == "currency" else ("percent" if a["unit"] == "ratio" else "count")
    per_day = "" if unit == "percent" else " a day"
    return f"{fmt.value(a['before'], unit)} -> {fmt.value(a['after'], unit)}{per_day}"


def alert_item(a: dict[str, Any]) -> Item:
    """One alert as a brief item."""
    slice_ = f"{a['dimension']} {a['value']}"
    title = f"{a['label']} {fmt.change(a['change'])} in {a['value']} since {fmt.date(a['start'])}"
    text = (
        f"{a['label']} for {slice_}: {fmt.change(a['change'])} ({_change_text(a)}) over {a['days']} days "
        f"(p = {a['p_value']:.0e})."
    )
    if a.get("driver"):
        text += f" Likely driver: {a['driver']}."
    return Item(
        title,
        text,
        figures=[Figure("Change", a["change"], "percent", tone="bad")],
        citations=[Citation("Pipeline anomaly alert", source=f"revintel alerts ({a['key']})")],
        tone="bad",
    )


def section(ctx: Ctx) -> Section:
    """The brief's marketing section for the reader's scope."""
    from revintel.marketing.report import (
        alerts_view,
        campaigns_view,
        dropping_view,
        funnel_view,
        outlook_view,
    )

    rt, scope = ctx.rt, ctx.scope
    items = [alert_item(a) for a in alerts_view(rt, scope)["alerts"]]
    f = ctx.once("marketing funnel", lambda: funnel_view(rt, scope, None))
    cur, prev = f["current"]["rows"], f["previous"]["rows"]
    if cur and prev:
        c, p = cur[0], prev[0]
        items.append(
            Item(
                f"End-to-end conversion {fmt.percent(c['end_to_end'])} in {f['current']['window']['label']}",
                f"{fmt.percent(c['end_to_end'])} of leads to wins: {fmt.count(c['lead'])} leads, "
                f"{fmt.count(c['mql'])} MQLs, {fmt.count(c['won'])} wins; "
                f"{fmt.percent(p['end_to_end'])} in {f['previous']['window']['label']}.",
                figures=[Figure("End-to-end conversion", c["end_to_end"], "percent")],
                citations=[Citation("Marketing funnel", source="revintel funnel (leads and their deals)")],
            )
        )
    d = ctx.once("marketing dropping", lambda: dropping_view(rt, scope, None))
    if d.get("dropping"):
        top = d["dropping"]
        g = d["groups"][0]
        items.append(
            Item(
                f"{top['group']} is dropping in the funnel",
                f"End-to-end conversion {fmt.percent(g['base_conversion'])} -> "
                f"{fmt.percent(g['current_conversion'])}; "
                f"the {STAGE_WORDS.get(top['stage'], top['stage'])} stage carries most of it.",
                tone="bad",
                citations=[Citation("Leads read for the funnel", sql=d["sql"])],
            )
        )
    camps = [c for c in campaigns_view(rt, scope, None)["campaigns"] if c["influenced_won"]]
    if camps:
        best = camps[0]
        items.append(
            Item(
                f"{best['name']} influenced the most won revenue",
                f"{fmt.money(best['influenced_won'])} won on deals it touched; "
                f"{fmt.money(best['sourced_won'])} on deals it sourced.",
                figures=[Figure("Influenced won revenue", best["influenced_won"], "currency")],
                citations=[Citation("Campaign influence", source="revintel campaigns (won deals)")],
            )
        )
    o = outlook_view(rt, scope)
    items.append(
        Item(
            "Pipeline expected from marketing next quarter",
            f"{fmt.money(o['pipeline']['expected'])} (P10 {fmt.money(o['pipeline']['p10'])}, "
            f"P90 {fmt.money(o['pipeline']['p90'])}) from "
            f"{fmt.count(sum(o['open_leads'].values()))} open leads "
            "and the leads still to come.",
            figures=[Figure("Expected marketing pipeline", o["pipeline"]["expected"], "currency")],
            citations=[Citation("Marketing outlook", source="revintel marketing outlook (open leads)")],
        )
    )
    return Section("marketing", "Marketing and funnel", items)


def alerts_document(alerts: list[dict[str, Any]], as_of: str, scope_text: str) -> Document:
    """The alerts as a document every delivery channel can render."""
    return Document(
        kind="alerts",
        title="Pipeline alerts",
        subtitle=as_of,
        scope=scope_text,
        as_of=dt.date.fromisoformat(as_of),
        sections=[Section("alerts", "Pipeline alerts", [alert_item(a) for a in alerts])],
    )


def _recently_sent(rt: Runtime, prefix: str, cooldown_days: int) -> bool:
    from sqlalchemy import select

    from revintel.appdb.base import utcnow
    from revintel.appdb.schedules import Delivery

    since = utcnow() - dt.timedelta(days=cooldown_days)
    with rt.appdb.session() as s:
        row = s.scalars(
            select(Delivery.id).where(
                Delivery.idempotency_key.like(f"{prefix}%"),
                Delivery.started_at >= since,
                Delivery.outcome == "sent",
            )
        ).first()
    return row is not None


def deliver_alerts(
    rt: Runtime,
    alerts: list[dict[str, Any]],
    channels: list[str],
    target: Target,
    *,
    actor: str,
    as_of: str,
    scope_text: str,
    cooldown_days: int = COOLDOWN_DAYS,
) -> list[dict[str, Any]]:
    """Send each alert not sent before and not in its cool-down; one outcome per alert and channel."""
    from revintel.delivery import channel as make_channel
    from revintel.delivery.base import Message, deliver

    out = []
    for a in alerts:
        slice_key = f"alert:{a['metric']}:{a['dimension']}={a['value']}:"
        for name in channels:
            if _recently_sent(rt, slice_key, cooldown_days) and not _recently_sent(
                rt, f"alert:{a['key']}:{name}", 36500
            ):
                out.append({"alert": a["key"], "channel": name, "outcome": "skipped", "error": "cool-down"})
                continue
            doc = alerts_document([a], as_of, scope_text)
            msg = Message(document=doc, subject=f"Pipeline alert: {alert_item(a).title}")
            res = deliver(
                rt.appdb,
                rt.settings,
                make_channel(name, rt.settings),
                msg,
                target,
                key=f"alert:{a['key']}:{name}",
                actor=actor,
            )
            out.append({"alert": a["key"], **res.to_dict()})
    return out
