"""Usage analytics of the app itself, read from the audit trail: who uses it, what they ask, what
fails, what is slow, what they look at, what they export and send, what the LLM costs.

Only for roles with ``view_audit``. Every figure is a count over audit events in a window (default
the last 30 days), so it is exactly what an auditor can re-derive from ``revintel audit export``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from revintel.appdb.audit import AuditEvent
from revintel.appdb.base import utcnow
from revintel.errors import InvalidRequest
from revintel.runtime import Runtime
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User

SYSTEM_ACTORS = frozenset({"eval", "system", "scheduler", "cli", "warm-up", "precompute", "sso"})
TIMED_ACTIONS = ("query", "ask", "export", "mcp", "delivery")
MAX_DAYS = 366


def usage_report(rt: Runtime, user: User, days: int = 30, now: dt.datetime | None = None) -> dict[str, Any]:
    """The usage report for the last ``days`` days (1-366); audited.

    Raises:
        Forbidden: the caller's role lacks ``view_audit``.
        InvalidRequest: ``days`` out of range.
    """
    authz.require(user, authz.VIEW_AUDIT)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidRequest(f"days must be between 1 and {MAX_DAYS}", details={"days": days})
    until = now or utcnow()
    since = until - dt.timedelta(days=days)
    with rt.appdb.session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.at >= since, AuditEvent.at <= until)))
    report = _report(events, since, until, days)
    report["feedback"] = _feedback(rt, since, until)
    audited(rt.appdb, user, "query", "admin/usage", detail={"days": days})
    return report


def _report(events: list[AuditEvent], since: dt.datetime, until: dt.datetime, days: int) -> dict[str, Any]:
    people = [e for e in events if e.actor not in SYSTEM_ACTORS]
    by_day: dict[str, set[str]] = {}
    for e in people:
        by_day.setdefault(e.at.date().isoformat(), set()).add(e.actor)
    asks = [e for e in people if e.action == "ask"]
    outcomes = Counter(_ask_outcome(e) for e in asks)
    total_q = len(asks)
    timed = [
        e for e in people if e.action in TIMED_ACTIONS and (e.detail or {}).get("elapsed_ms") is not None
    ]
    timed.sort(key=lambda e: -float((e.detail or {})["elapsed_ms"]))
    views = Counter(m for e in people for m in _metrics_of(e))
    exports = [e for e in people if e.action == "export"]
    deliveries = [e for e in events if e.action == "delivery"]
    llm = [e for e in asks if (e.detail or {}).get("provider") not in (None, "local")]
    tokens = sum(int((e.detail or {}).get("tokens") or 0) for e in llm)
    failures = Counter((e.action, e.target or "") for e in people if e.outcome == "error")
    return {
        "window": {
            "days": days,
            "since": since.isoformat(timespec="seconds"),
            "until": until.isoformat(timespec="seconds"),
        },
        "active_users": {
            "total": len({e.actor for e in people}),
            "by_day": [{"day": d, "users": len(a)} for d, a in sorted(by_day.items())],
            "top": [{"user": a, "events": n} for a, n in Counter(e.actor for e in people).most_common(10)],
        },
        "questions": {
            "total": total_q,
            **{k: outcomes.get(k, 0) for k in ("answered", "clarified", "abstained", "refused")},
            "rates": {
                k: (outcomes.get(k, 0) / total_q if total_q else None)
                for k in ("answered", "clarified", "abstained", "refused")
            },
        },
        "slowest": [
            {
                "at": e.at.isoformat(timespec="seconds"),
                "user": e.actor,
                "action": e.action,
                "target": e.target,
                "elapsed_ms": (e.detail or {})["elapsed_ms"],
            }
            for e in timed[:10]
        ],
        "metrics": [{"metric": m, "views": n} for m, n in views.most_common(10)],
        "exports": {
            "total": len(exports),
            "by_kind": dict(Counter(_export_kind(e.target or "") for e in exports).most_common()),
        },
        "deliveries": {"total": len(deliveries), "failed": sum(e.outcome != "ok" for e in deliveries)},
        "llm": {
            "calls": len(llm),
            "tokens": tokens,
            "providers": dict(Counter(str((e.detail or {}).get("provider")) for e in llm)),
        },
        "failures": [{"action": a, "target": t, "count": n} for (a, t), n in failures.most_common(10)],
    }


def _ask_outcome(e: AuditEvent) -> str:
    if e.outcome == "denied":
        return "refused"
    intent = (e.detail or {}).get("intent")
    if intent == "clarify":
        return "clarified"
    if intent == "unsupported":
        return "abstained"
    return "answered"


def _metrics_of(e: AuditEvent) -> list[str]:
    target = e.target or ""
    if e.action == "query" and target.startswith("metrics/"):
        return [m for m in target[len("metrics/") :].split(",") if m]
    if e.action == "query" and target.startswith("kpi/"):
        return [target.split("/")[1]]
    if e.action == "ask":
        return [d for d in ((e.detail or {}).get("metrics") or []) if isinstance(d, str)]
    return []


def _export_kind(target: str) -> str:
    tail = target.rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else (target.split("/", 1)[0] or "other")


def _feedback(rt: Runtime, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    from revintel.appdb.conversations import Turn

    with rt.appdb.session() as s:
        rows = list(
            s.scalars(
                select(Turn.feedback).where(Turn.at >= since, Turn.at <= until, Turn.feedback.is_not(None))
            )
        )
    up, down = sum((r or 0) > 0 for r in rows), sum((r or 0) < 0 for r in rows)
    return {"up": up, "down": down, "positive_rate": up / (up + down) if up + down else None}
