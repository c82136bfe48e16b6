"""Admin > Usage: figures derived from the audit trail, for roles with view_audit only."""

from __future__ import annotations

import datetime as dt

from revintel.appdb import audit
from revintel.services.identity import User
from revintel.services.usage import usage_report


def test_usage_counts_people_questions_outcomes_metrics_and_exports(rt):
    db = rt.appdb
    for actor, intent, outcome in [
        ("cfo", "value", "ok"),
        ("cfo", "clarify", "ok"),
        ("emea_lead", "unsupported", "ok"),
        ("emea_lead", "value", "denied"),
        ("eval", "value", "ok"),
    ]:
        audit.record(
            db,
            actor=actor,
            action="ask",
            target="q",
            detail={"intent": intent, "provider": "local"},
            outcome=outcome,
        )
    audit.record(
        db, actor="cro", action="query", target="metrics/win_rate,won_revenue", detail={"elapsed_ms": 1234.5}
    )
    audit.record(db, actor="cro", action="query", target="kpi/win_rate", detail={"elapsed_ms": 20.0})
    audit.record(db, actor="cfo", action="export", target="brief.pdf")
    audit.record(db, actor="cfo", action="export", target="kpi/fees/breakdown.csv", outcome="error")
    audit.record(db, actor="scheduler", action="delivery", target="email", outcome="failed")
    admin = User(id="auditor", name="Auditor", role="ceo", scope=_scope("ceo"))
    r = usage_report(rt, admin, days=7)
    assert r["active_users"]["total"] == 3  # eval and the scheduler are not people
    q = r["questions"]
    assert (q["total"], q["answered"], q["clarified"], q["abstained"], q["refused"]) == (4, 1, 1, 1, 1)
    assert r["metrics"][0] == {"metric": "win_rate", "views": 2}
    assert r["slowest"][0]["elapsed_ms"] == 1234.5 and r["slowest"][0]["user"] == "cro"
    assert r["exports"] == {"total": 2, "by_kind": {"pdf": 1, "csv": 1}}
    assert r["deliveries"] == {"total": 1, "failed": 1}
    assert r["failures"][0]["action"] == "export"
    later = usage_report(rt, admin, days=7, now=dt.datetime.now() + dt.timedelta(days=30))
    assert later["questions"]["total"] == 0


def test_usage_page_and_api_need_view_audit(demo_rt, client_as):
    cfo = client_as("cfo")
    cfo.post("/api/ask", json={"question": "What were net fees in 2025?"})
    body = cfo.get("/api/admin/usage", params={"days": 30}).json()
    assert body["questions"]["total"] >= 1 and body["active_users"]["total"] >= 1
    assert any(e["action"] == "ask" for e in body["slowest"])  # requests carry their elapsed time
    page = cfo.get("/admin/usage")
    assert page.status_code == 200 and 'data-testid="usage-cards"' in page.text
    assert client_as("marketing").get("/api/admin/usage").status_code == 403
    assert client_as("marketing").get("/admin/usage").status_code == 403
    assert cfo.get("/api/admin/usage", params={"days": 0}).status_code in (400, 422)


def _scope(role: str):
    from revintel.scope import Scope

    return Scope.build(role)
