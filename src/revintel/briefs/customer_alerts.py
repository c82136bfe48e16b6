"""Renewal and churn alerts delivered to email, Slack and Teams, each alert once per recipient.

The alerts are :func:`revintel.customers.health.churn_alerts` (the brief's churn section lists the same
ones). Each is sent as its own short message through the brief delivery channels
(:mod:`revintel.delivery`), with an idempotency key made of the customer, its renewal date and the
kinds of warning that fire, per channel and recipient. The delivery log refuses a key it has seen, so
running the alert job again (a cron, two schedulers) sends nothing twice; an alert that gains a new
warning (usage now down as well) or a customer whose renewal moved is a new alert and is sent.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from revintel.customers.health import churn_alerts
from revintel.export.document import Citation, Document, Figure, Item, Section

if TYPE_CHECKING:
    from revintel.delivery import Outcome, Target
    from revintel.runtime import Runtime
    from revintel.scope import Scope

#: Warning kinds read from an alert's reasons (the words :func:`revintel.customers.health.rules` writes).
KINDS = (
    ("churn risk", "risk"),
    ("active users down", "usage"),
    ("negative support tickets", "tickets"),
    ("no executive", "executive"),
)


def kinds(alert: dict[str, Any]) -> list[str]:
    """The kinds of warning an alert carries, in a fixed order."""
    reason = alert.get("reason") or ""
    return [k for words, k in KINDS if words in reason]


def alert_key(alert: dict[str, Any]) -> str:
    """What makes two alerts the same: the customer, its renewal and the kinds of warning."""
    return f"{alert['account_id']}:{alert.get('renewal_date') or '-'}:{'+'.join(kinds(alert))}"


def document(alert: dict[str, Any], as_of: Any, link: str | None = None) -> Document:
    """One alert as a document every channel renders (headline figures, the reasons, the source)."""
    name = alert.get("account") or alert["account_id"]
    text = f"{name}: {alert['reason']}."
    if alert.get("renewal_date"):
        text += f" Renewal on {alert['renewal_date']}."
    return Document(
        kind="alert",
        title=f"Customer alert: {name}",
        subtitle=f"renewal {alert.get('renewal_date') or 'not scheduled'}",
        as_of=as_of,
        headline=[
            Figure("ARR at risk", alert["arr_at_risk"], "currency", "bad"),
            Figure("Churn risk", alert["p_churn"], "percent", "bad"),
            Figure("Health", alert["health"], "number"),
            Figure("ARR", alert["arr"], "currency"),
        ],
        sections=[
            Section(
                "alert",
                "Why",
                [
                    Item(
                        "Warning signs",
                        text,
                        citations=[Citation("Churn alerts", source="churn model and early-warning rules")],
                        tone="bad",
                    )
                ],
            )
        ],
        link=link,
    )


def send(
    rt: Runtime,
    scope: Scope,
    channels: list[str],
    target: Target,
    *,
    actor: str,
    persona: str | None = None,
    top: int | None = None,
) -> dict[str, Any]:
    """Deliver the alerts ``scope`` sees (the ``top`` by ARR at risk) on ``channels``, each once.

    Returns the alerts considered and one outcome per (alert, channel): ``sent``, ``skipped`` (sent
    before to this recipient) or ``failed`` (the channel's error; other deliveries go on).
    """
    from revintel.delivery import Message, channel, deliver

    alerts = churn_alerts(rt, scope)["alerts"]
    alerts = alerts if top is None else alerts[:top]
    base = rt.settings.public_url.rstrip("/") if rt.settings.public_url else None
    outcomes: list[dict[str, Any]] = []
    for name in channels:
        ch = channel(name, rt.settings)
        where = hashlib.sha256(ch.describe(target).encode()).hexdigest()[:16]
        for a in alerts:
            link = f"{base}/customers/{a['account_id']}" if base else None
            doc = document(a, rt.as_of(), link)
            out: Outcome = deliver(
                rt.appdb,
                rt.settings,
                ch,
                Message(document=doc, subject=f"{doc.title}: {a['reason']}"[:250]),
                target,
                key=f"customer-alert:{alert_key(a)}:{name}:{where}",
                actor=actor,
                persona=persona,
            )
            outcomes.append({"account_id": a["account_id"], "key": alert_key(a), **out.to_dict()})
    counts = {k: sum(o["outcome"] == k for o in outcomes) for k in ("sent", "skipped", "failed")}
    return {"alerts": len(alerts), "channels": channels, **counts, "deliveries": outcomes}
