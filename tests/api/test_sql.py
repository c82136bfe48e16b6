"""POST /api/sql: one guard, the caller's scope, refusals audit-logged."""

from __future__ import annotations

from revintel.appdb.audit import events
from revintel.runtime import Runtime

WON_BY_REGION = "SELECT region, sum(amount) AS won FROM opportunities WHERE status = 'won' GROUP BY region"


def test_sql_runs_in_the_callers_scope(demo_rt: Runtime, client_as) -> None:
    everyone = client_as("ceo").post("/api/sql", json={"sql": WON_BY_REGION}).json()
    emea = client_as("emea_lead").post("/api/sql", json={"sql": WON_BY_REGION}).json()
    assert len(everyone["rows"]) == 4
    assert [r[0] for r in emea["rows"]] == ["EMEA"]
    assert dict(map(tuple, everyone["rows"]))["EMEA"] == emea["rows"][0][1]
    assert "'EMEA'" in emea["sql"]


def test_sql_naming_another_table_is_refused_and_logged(demo_rt: Runtime, client_as) -> None:
    r = client_as("emea_lead").post("/api/sql", json={"sql": "SELECT * FROM audit_events"})
    assert r.status_code == 400 and r.json()["error"] == "unsafe_sql"
    ev = events(demo_rt.appdb, actor="emea_lead", action="sql")[0]
    assert ev["outcome"] == "denied" and ev["target"] == "audit_events"


def test_file_reading_function_is_refused(demo_rt: Runtime, client_as) -> None:
    r = client_as("ceo").post("/api/sql", json={"sql": "SELECT * FROM read_csv('/etc/passwd')"})
    assert r.status_code == 400 and "read_csv" in r.json()["message"]


def test_limit_is_forced(demo_rt: Runtime, client_as) -> None:
    body = (
        client_as("ceo")
        .post("/api/sql", json={"sql": "SELECT opportunity_id FROM opportunities", "limit": 7})
        .json()
    )
    assert len(body["rows"]) == 7 and body["truncated"] and "LIMIT 7" in body["sql"]
