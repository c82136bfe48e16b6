"""Liveness and readiness: public, and anonymous callers learn nothing but the status."""

from __future__ import annotations

from revintel.precompute import STEPS


def test_anonymous_health_and_ready_say_only_their_status(demo_rt, client_as):
    anon = client_as(None)
    health = anon.get("/api/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = anon.get("/api/ready")
    body = ready.json()
    assert set(body.pop("warming", [])) <= {name for name, _ in STEPS}  # step names only, never details
    assert ready.status_code == 200 and body == {"status": "ready"}
    assert str(demo_rt.settings.home) not in health.text + ready.text


def test_operators_get_the_warehouse_and_its_tables(demo_rt, client_as):
    body = client_as("data_steward").get("/api/health").json()
    assert body["backend"] == "duckdb" and body["tables"]["opportunities"] > 0
    assert client_as("marketing").get("/api/health").json() == {"status": "ok"}
    assert "precompute" in client_as("data_steward").get("/api/ready").json()
