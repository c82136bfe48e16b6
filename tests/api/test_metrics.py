"""``/api/metrics``, ``/api/kpis/...`` and ``/api/query``: scoped, traceable, with clear errors."""

from __future__ import annotations

import pytest


def test_catalogue_lists_metrics_the_role_may_see(demo_rt, client_as) -> None:
    body = client_as("cfo").get("/api/metrics").json()
    ids = {m["id"] for m in body["metrics"]}
    assert {"chargeable_hours", "win_rate", "arr", "leads"} <= ids
    assert any(d["id"] == "region" for d in body["dimensions"])
    sales = client_as("sales_manager").get("/api/metrics").json()
    assert "chargeable_hours" not in {m["id"] for m in sales["metrics"]}


def test_kpi_summary_returns_cards_for_the_period(demo_rt, client_as) -> None:
    r = client_as("cfo").get("/api/kpis/summary", params={"period": "2025"})
    assert r.status_code == 200
    body = r.json()
    assert body["period"]["start"] == "2025-01-01"
    assert len(body["cards"]) >= 8
    card = next(c for c in body["cards"] if c["metric"] == "chargeable_hours")
    assert card["budget"] and card["prior_year"] and len(card["sparkline"]) == 12 and card["sql"]["value"]


def test_kpi_detail_breaks_down_by_an_allowed_dimension(demo_rt, client_as) -> None:
    c = client_as("emea_lead")
    body = c.get("/api/kpis/won_revenue", params={"period": "2025", "by": "team"}).json()
    assert body["by"] == "team" and body["breakdown"]
    assert body["scope"]["rows"] == {"region": ["EMEA"]}
    bad = c.get("/api/kpis/chargeable_hours", params={"by": "rep"})
    assert bad.status_code == 400 and "region" in bad.json()["hint"]


def test_query_is_scoped_whatever_filters_the_caller_sends(demo_rt, client_as) -> None:
    c = client_as("emea_lead")
    ok = c.post("/api/query", json={"metrics": ["won_revenue"], "dimensions": ["region"], "period": "2025"})
    assert ok.status_code == 200
    body = ok.json()
    assert [row[0] for row in body["rows"]] == ["EMEA"]
    assert body["columns"] == ["region", "won_revenue"] and "SELECT" in body["sql"].upper()
    assert body["definitions"][0]["id"] == "won_revenue" and body["scope"]["rows"] == {"region": ["EMEA"]}
    other = c.post("/api/query", json={"metrics": ["won_revenue"], "filters": {"region": ["APAC"]}})
    assert other.status_code == 403


def test_query_errors_name_the_nearest_valid_name(demo_rt, client_as) -> None:
    c = client_as("cfo")
    r = c.post("/api/query", json={"metrics": ["win_rat"]})
    assert r.status_code == 400 and "win_rate" in r.json()["hint"]
    r = c.post("/api/query", json={"metrics": ["won_revenue"], "period": "2025-13"})
    assert r.status_code == 400
    assert client_as(None).get("/api/kpis/summary").status_code == 401


def test_queries_are_audited_with_their_sql(demo_rt, client_as) -> None:
    from revintel.appdb.audit import AuditEvent

    client_as("emea_lead").post("/api/query", json={"metrics": ["win_rate"], "period": "2025"})
    with demo_rt.appdb.session() as s:
        events = [e for e in s.query(AuditEvent).all() if e.action == "query"]
    assert events and "opportunities" in events[-1].sql and events[-1].scope["rows"] == {"region": ["EMEA"]}


def _one_app(settings):  # type: ignore[no-untyped-def]
    """One app (one runtime, one set of kept results) and a way to sign in as a persona on it."""
    from fastapi.testclient import TestClient

    from revintel.app import create_app
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    c = TestClient(create_app(settings))

    def as_(persona: str) -> TestClient:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": persona}))
        return c

    return c, as_


def _fees(body: dict) -> float:
    return next(card["value"] for card in body["cards"] if card["metric"] == "fees")


def test_kept_kpi_cards_are_per_scope_a_lead_never_gets_the_ceo_s(demo_rt) -> None:
    c, as_ = _one_app(demo_rt.settings)
    with c:
        ceo = as_("ceo").get("/api/kpis/summary", params={"period": "2025"}).json()
        lead = as_("emea_lead").get("/api/kpis/summary", params={"period": "2025"}).json()
        again = as_("ceo").get("/api/kpis/summary", params={"period": "2025"}).json()
    assert 0 < _fees(lead) < _fees(ceo) and lead["scope"]["rows"] == {"region": ["EMEA"]}
    assert again == ceo


def test_kept_kpi_cards_follow_a_new_load(demo_rt) -> None:
    import pyarrow as pa

    from revintel.warehouse.base import Change, conform

    c, as_ = _one_app(demo_rt.settings)
    with c:
        before = _fees(as_("ceo").get("/api/kpis/summary", params={"period": "2025"}).json())
        wh = c.app.state.runtime.warehouse  # type: ignore[attr-defined]
        row = wh.cursor().sql("SELECT * FROM services_monthly WHERE month = DATE '2025-06-01' LIMIT 1")
        row = row.to_arrow_table()
        extra = row.set_column(row.schema.get_field_index("fees"), "fees", pa.array([1_000_000.0]))
        wh.apply([Change("services_monthly", conform("services_monthly", extra), "append")])
        after = _fees(as_("ceo").get("/api/kpis/summary", params={"period": "2025"}).json())
    assert after == pytest.approx(before + 1_000_000.0)


def test_kept_kpi_drill_downs_are_per_scope_and_follow_a_new_load(demo_rt) -> None:
    import pyarrow as pa

    from revintel.warehouse.base import Change, conform

    c, as_ = _one_app(demo_rt.settings)
    with c:
        ceo = as_("ceo").get("/api/kpis/fees", params={"period": "2025", "by": "region"}).json()
        lead = as_("emea_lead").get("/api/kpis/fees", params={"period": "2025", "by": "region"}).json()
        assert len(ceo["breakdown"]) > 1 and [r["region"] for r in lead["breakdown"]] == ["EMEA"]
        assert as_("ceo").get("/api/kpis/fees", params={"period": "2025", "by": "region"}).json() == ceo
        wh = c.app.state.runtime.warehouse  # type: ignore[attr-defined]
        row = wh.cursor().sql("SELECT * FROM services_monthly WHERE month = DATE '2025-06-01' LIMIT 1")
        row = row.to_arrow_table()
        extra = row.set_column(row.schema.get_field_index("fees"), "fees", pa.array([1_000_000.0]))
        wh.apply([Change("services_monthly", conform("services_monthly", extra), "append")])
        after = as_("ceo").get("/api/kpis/fees", params={"period": "2025", "by": "region"}).json()
    assert after["card"]["value"] == pytest.approx(ceo["card"]["value"] + 1_000_000.0)
