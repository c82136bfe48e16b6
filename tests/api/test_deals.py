"""Deals and forecast API: the same numbers as the domain, with the caller's scope applied."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.http.auth import SESSION_COOKIE, session_cookie_value


@pytest.fixture(scope="module")
def client(deals_rt) -> Iterator:
    """``client("emea_lead")``: a signed-in client over the shared synthetic pipeline (model trained once)."""
    app = create_app(deals_rt.settings)
    clients: list[TestClient] = []

    def make(persona: str | None) -> TestClient:
        c = TestClient(app)
        if persona:
            c.cookies.set(SESSION_COOKIE, session_cookie_value(deals_rt.settings, {"persona": persona}))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def test_risk_list_for_a_regional_lead_only_holds_their_region(client) -> None:
    r = client("emea_lead").get("/api/deals/risk", params={"top": 200})
    assert r.status_code == 200
    body = r.json()
    assert body["deals"] and {d["region"] for d in body["deals"]} == {"EMEA"}
    assert body["scope"]["rows"] == {"region": ["EMEA"]}


def test_a_region_outside_the_scope_is_refused_not_ignored(client) -> None:
    r = client("emea_lead").get("/api/deals/risk", params={"region": "APAC"})
    assert r.status_code == 403 and r.json()["details"]["dimension"] == "region"


def test_model_statistics_and_retraining_need_the_analytics_permission(client) -> None:
    assert client("emea_lead").get("/api/deals/model").status_code == 403
    assert client("emea_lead").post("/api/deals/train").status_code == 403
    assert client("fpa").get("/api/deals/model").status_code == 200


def test_deal_outside_the_scope_is_404_and_inside_is_shown(client) -> None:
    apac_id = (
        client("apac_lead").get("/api/deals/risk", params={"top": 1}).json()["deals"][0]["opportunity_id"]
    )
    assert client("emea_lead").get(f"/api/deals/{apac_id}").status_code == 404
    d = client("apac_lead").get(f"/api/deals/{apac_id}").json()
    assert d["open"] and d["drivers"] and d["time_to_close"]["p50"]


def test_forecast_endpoint_matches_the_cli_contract_fields(client) -> None:
    body = client("ceo").get("/api/forecast", params={"by": "region", "period": "2026-Q1"}).json()
    for row in [*body["rows"], body["total"]]:
        assert {"p10", "p50", "p90", "expected", "quota"} <= set(row)
        assert row["p10"] <= row["p50"] <= row["p90"]
    lead = client("emea_lead").get("/api/forecast", params={"by": "region", "period": "2026-Q1"}).json()
    emea = next(r for r in body["rows"] if r["key"] == "EMEA")
    assert lead["total"]["expected"] == pytest.approx(emea["expected"])


def test_pipeline_changes_endpoint_reconciles(client) -> None:
    body = (
        client("cro").get("/api/pipeline/changes", params={"from": "2025-07-01", "to": "2025-12-31"}).json()
    )
    assert body["total"]["reconciles"]


def test_sponsor_without_drill_rights_cannot_open_deals(client) -> None:
    assert client("sponsor").get("/api/deals/risk").status_code == 403


def test_signed_out_caller_is_refused(client) -> None:
    assert client(None).get("/api/forecast").status_code == 401


def test_the_kept_risk_list_is_per_scope_a_lead_never_gets_the_ceo_s(client) -> None:
    ceo = client("ceo").get("/api/deals/risk", params={"top": 60}).json()
    assert len({d["region"] for d in ceo["deals"]}) > 1
    lead = client("emea_lead").get("/api/deals/risk", params={"top": 60}).json()
    assert {d["region"] for d in lead["deals"]} == {"EMEA"} and lead["scope"]["rows"] == {"region": ["EMEA"]}
    assert client("ceo").get("/api/deals/risk", params={"top": 60}).json() == ceo
    # a narrower filter is another entry too
    emea = client("ceo").get("/api/deals/risk", params={"top": 60, "region": "EMEA"}).json()
    assert {d["region"] for d in emea["deals"]} == {"EMEA"}


@pytest.mark.slow
def test_the_kept_risk_list_follows_a_new_load(tmp_path) -> None:
    from revintel.config import Settings
    from revintel.deals import synthetic
    from revintel.deals.risk import risk_list
    from revintel.runtime import Runtime
    from revintel.scope import get_persona

    rt = Runtime(Settings(home=tmp_path / "home"))
    synthetic.load(rt.warehouse, synthetic.generate(n_deals=300, seed=7))
    with TestClient(create_app(rt.settings)) as c:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(rt.settings, {"persona": "ceo"}))
        before = c.get("/api/deals/risk", params={"top": 10}).json()
        app_rt = c.app.state.runtime  # type: ignore[attr-defined]
        synthetic.load(app_rt.warehouse, synthetic.generate(n_deals=300, seed=8))
        after = c.get("/api/deals/risk", params={"top": 10}).json()
        now = risk_list(app_rt, get_persona("ceo").scope, top=10)
    rt.close()
    ids = lambda body: [d["opportunity_id"] for d in body["deals"]]  # noqa: E731
    assert after["total_amount"] != before["total_amount"]
    assert ids(after) == ids(now) and after["total_amount"] == pytest.approx(now["total_amount"])
