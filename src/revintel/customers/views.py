"""What the surfaces show: the renewal risk list, one customer, and the model card.

API routes, pages, the CLI and the brief all call these (through :mod:`revintel.services.customers`
where a user is involved), so every figure has one owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from revintel.customers import explain, health, scoring
from revintel.customers.data import load_frames
from revintel.errors import NotFound
from revintel.text import nearest

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope


def _iso(v: Any) -> str | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date().isoformat()


def _num(v: Any, digits: int = 4) -> float | None:
    return None if v is None or pd.isna(v) else round(float(v), digits)


def record(r: dict[str, Any]) -> dict[str, Any]:
    """One scored customer as plain values."""
    return {
        "account_id": r["account_id"],
        "account": r.get("account"),
        "region": r.get("region"),
        "tier": r.get("tier"),
        "arr": _num(r["arr"], 2),
        "renewal_date": _iso(r.get("renewal_date")),
        "days_to_renewal": None if pd.isna(r.get("days_left")) else int(r["days_left"]),
        "p_churn": _num(r["p_churn"]),
        "arr_at_risk": _num(r["arr_at_risk"], 2),
        "health": None if pd.isna(r.get("health")) else int(r["health"]),
        "health_change": None if pd.isna(r.get("health_change")) else int(r["health_change"]),
        "health_moved_by": r.get("moved_by"),
        "health_components": {c: _num(r.get(f"health_{c}"), 1) for c in health.COMPONENTS},
        "alerts": list(r.get("rules") or []),
    }


def risk_list(rt: Runtime, scope: Scope, days: int | None = 90, top: int = 50) -> dict[str, Any]:
    """Live customers renewing within ``days`` (all when None), ranked by ARR at risk = P(churn) x ARR."""
    frame = scoring.scored(rt, scope)
    if days is not None and len(frame):
        frame = frame[frame["days_left"] <= days]
    m = scoring.model(rt)
    head = frame.head(top)
    why = explain.drivers(m, head)
    rows = [record(r) | {"drivers": why[i]["raising"]} for i, r in enumerate(head.to_dict("records"))]
    return {
        "as_of": rt.as_of().isoformat(),
        "days": days,
        "customers": len(frame),
        "arr": round(float(frame["arr"].sum()), 2) if len(frame) else 0.0,
        "arr_at_risk": round(float(frame["arr_at_risk"].sum()), 2) if len(frame) else 0.0,
        "renewals": rows,
    }


#: Health bands (lowest score of the band, label), as the Customers page and Ask describe the book.
HEALTH_BANDS = ((70, "healthy (70+)"), (40, "watch (40-69)"), (0, "at risk (under 40)"))


def health_summary(rt: Runtime, scope: Scope, lowest: int = 10) -> dict[str, Any]:
    """The health of the live customers ``scope`` sees: average, customers and ARR per band, the lowest."""
    frame = scoring.scored(rt, scope)
    h = frame["health"].astype(float) if len(frame) else pd.Series(dtype=float)
    bands, upper = [], float("inf")
    for low, label in HEALTH_BANDS:
        inside = (h >= low) & (h < upper)
        bands.append(
            {
                "label": label,
                "customers": int(inside.sum()),
                "arr": round(float(frame.loc[inside, "arr"].sum()), 2),
            }
        )
        upper = low
    worst = frame.assign(_h=h).sort_values(["_h", "account_id"]).head(lowest) if len(frame) else frame
    return {
        "customers": len(frame),
        "average": round(float(h.mean()), 1) if len(h) else None,
        "bands": bands,
        "lowest": [record(r) for r in worst.drop(columns=["_h"], errors="ignore").to_dict("records")],
    }


def customer(rt: Runtime, scope: Scope, account_id: str) -> dict[str, Any]:
    """One customer: contract, health and its trend, churn probability with drivers, tickets, calls.

    Raises:
        NotFound: no live customer with that id in ``scope`` (a customer outside the scope is not found).
    """
    with rt.semantic.pinned():  # one data version for the page's reads
        return _customer(rt, scope, account_id)


def _customer(rt: Runtime, scope: Scope, account_id: str) -> dict[str, Any]:
    frames = load_frames(rt, scope, [account_id], contacts=False)  # its rows, if the scope admits it
    every = scoring.scored_all(rt)
    hit = every[every["account_id"] == account_id] if len(frames.subs) else every.iloc[:0]
    if hit.empty:
        ids = scoring.scored(rt, scope)["account_id"].astype(str).tolist()
        guess = nearest(account_id, ids) if ids else None
        raise NotFound(
            f"no live customer {account_id!r} in your scope", hint=guess or "see `revintel customers risk`"
        )
    m = scoring.model(rt)
    why = explain.drivers(m, hit, top=4)[0]
    subs = frames.subs[frames.subs["account_id"] == account_id].sort_values("start_date")
    tickets = frames.tickets[frames.tickets["account_id"] == account_id].sort_values("created_date").tail(8)
    calls = (
        frames.conversations[frames.conversations["account_id"] == account_id]
        .sort_values("occurred_at")
        .tail(8)
    )
    usage = frames.usage[frames.usage["account_id"] == account_id].sort_values("month").tail(12)
    out = record(hit.iloc[0].to_dict())
    out.update(
        {
            "drivers": why,
            "lines": [
                {
                    "subscription_id": s["subscription_id"],
                    "product": s.get("product") or s.get("product_id"),
                    "kind": s["kind"],
                    "status": s["status"],
                    "arr": _num(s["arr"], 2),
                    "start_date": _iso(s["start_date"]),
                    "renewal_date": _iso(s.get("renewal_date")),
                }
                for s in subs.to_dict("records")
            ],
            "usage": [
                {
                    "month": _iso(u["month"]),
                    "active_users": int(u["active_users"] or 0),
                    "licensed_seats": int(u["licensed_seats"] or 0),
                }
                for u in usage.to_dict("records")
            ],
            "tickets": [
                {
                    "ticket_id": t["ticket_id"],
                    "created_date": _iso(t["created_date"]),
                    "priority": t.get("priority"),
                    "subject": t.get("subject"),
                    "sentiment": _num(t.get("sentiment"), 2),
                }
                for t in tickets.to_dict("records")
            ],
            "conversations": [
                {
                    "conversation_id": c["conversation_id"],
                    "occurred_at": _iso(c["occurred_at"]),
                    "channel": c.get("channel"),
                    "subject": c.get("subject"),
                }
                for c in calls.to_dict("records")
            ],
            "actions": actions(out, why),
        }
    )
    return out


def actions(row: dict[str, Any], why: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """Suggested next actions from the playbook, each with the evidence that triggered it."""
    out = []
    feats = {d["feature"]: d for d in why["raising"]}
    for alert in row["alerts"]:
        if alert.startswith("no executive"):
            out.append({"action": "Book an executive sponsor call before the renewal", "evidence": alert})
        elif alert.startswith("active users down"):
            out.append({"action": "Run an adoption review: who stopped using it and why", "evidence": alert})
        elif "negative support tickets" in alert:
            out.append(
                {"action": "Escalate open tickets to a support lead and call the customer", "evidence": alert}
            )
    if "users_per_seat" in feats:
        out.append(
            {
                "action": "Offer enablement for unused seats (or right-size before renewal)",
                "evidence": feats["users_per_seat"]["text"],
            }
        )
    if (row.get("p_churn") or 0) >= health.ALERT_P and not out:
        out.append(
            {
                "action": "Open a save plan with the account team",
                "evidence": f"churn risk {100 * row['p_churn']:.0f}% at renewal",
            }
        )
    return out


RISK_COLUMNS = (
    "account_id", "account", "region", "tier", "arr", "renewal_date", "days_to_renewal", "p_churn",
    "arr_at_risk", "health", "health_change", "alerts", "drivers",
)  # fmt: skip
EXPANSION_COLUMNS = (
    "account_id", "account", "region", "arr", "p_expand", "expected_expansion_arr", "evidence", "whitespace",
)  # fmt: skip


def export_table(
    rt: Runtime, scope: Scope, which: str, days: int | None = None
) -> tuple[list[str], list[list]]:
    """The at-risk (``risk``) or expansion (``expansion``) list as columns and rows for a file: every
    customer ``scope`` sees, the figures of :func:`risk_list` / :func:`revintel.customers.expansion.
    expansion_list` (the pages' lists), lists written as ``; ``-joined text."""
    if which == "risk":
        out = risk_list(rt, scope, days, top=1_000_000)
        rows = [
            [
                *(r.get(c) for c in RISK_COLUMNS[:-2]),
                "; ".join(r["alerts"]),
                "; ".join(d["text"] for d in r.get("drivers") or []),
            ]
            for r in out["renewals"]
        ]
        return list(RISK_COLUMNS), rows
    from revintel.customers.expansion import expansion_list

    exp = expansion_list(rt, scope, top=1_000_000)
    rows = [
        [
            *(r.get(c) for c in EXPANSION_COLUMNS[:-2]),
            "; ".join(r["evidence"]),
            "; ".join(i["evidence"] for i in r["whitespace"]),
        ]
        for r in exp["customers"]
    ]
    return list(EXPANSION_COLUMNS), rows


def model_card(rt: Runtime) -> dict[str, Any]:
    """The churn model's evaluation (protocol, windows, test metrics, baselines, leakage audit)."""
    card = dict(scoring.model(rt).card)
    return card
