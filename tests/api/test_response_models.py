"""Every route's OpenAPI entry names a response model, and real responses carry what the model lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from revintel.api.schemas import NOT_JSON, RESPONSES, ErrorResponse
from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
from revintel.http.auth import SESSION_COOKIE, session_cookie_value


@pytest.fixture(scope="module")
def ceo(demo_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = demo_app.state.runtime.settings
    with TestClient(demo_app, headers={"accept": "application/json"}) as c:
        c.cookies.set(CSRF_COOKIE, "n")
        c.headers[CSRF_HEADER] = csrf_token_for(settings, "n")
        c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": "ceo"}))
        yield c


def test_every_operation_names_its_response_and_error_models(demo_app) -> None:  # type: ignore[no-untyped-def]
    spec = demo_app.openapi()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            op_id = op["operationId"]
            if op_id in NOT_JSON:
                continue
            assert op_id in RESPONSES, f"{method.upper()} {path}: add its model to revintel.api.schemas"
            ok = next(op["responses"][c] for c in ("200", "201", "202") if c in op["responses"])
            ref = ok["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/" + RESPONSES[op_id].__name__) and "additionalProperties" not in ok
            assert op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "ErrorResponse"
            )
    assert {"KpiSummary", "Forecast", "Answer", "ErrorResponse"} <= set(spec["components"]["schemas"])


GETS = {
    "me": "/api/me",
    "list_metrics": "/api/metrics",
    "kpi_summary": "/api/kpis/summary",
    "kpi_detail": "/api/kpis/fees",
    "deals_risk": "/api/deals/risk?top=5",
    "deals_people": "/api/deals/people",
    "forecast": "/api/forecast",
    "forecast_backtest": "/api/forecast/backtest",
    "deals_model_card": "/api/deals/model",
    "marketing_funnel": "/api/marketing/funnel",
    "marketing_attribution": "/api/marketing/attribution",
    "marketing_alerts": "/api/marketing/alerts",
    "calls_search": "/api/calls/search?q=price",
    "calls_competitors": "/api/calls/competitors",
    "customer_risk": "/api/customers/risk",
    "customers_retention": "/api/customers/retention",
    "list_briefs": "/api/briefs",
    "ask_list_conversations": "/api/ask/conversations",
}


@pytest.mark.slow
def test_real_responses_carry_every_field_their_model_lists(ceo: TestClient) -> None:
    for op_id, url in GETS.items():
        r = ceo.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        RESPONSES[op_id].model_validate(r.json())
    deal = ceo.get("/api/deals/risk?top=1").json()["deals"][0]["opportunity_id"]
    RESPONSES["deal"].model_validate(ceo.get(f"/api/deals/{deal}").json())
    posts = {
        "run_query": ("/api/query", {"metrics": ["fees"], "dimensions": ["region"]}),
        "ask": ("/api/ask", {"question": "fees by region this year"}),
        "run_sql": ("/api/sql", {"sql": "SELECT region, sum(fees) FROM services_monthly GROUP BY 1"}),
    }
    for op_id, (url, body) in posts.items():
        r = ceo.post(url, json=body)
        assert r.status_code == 200, (url, r.text[:300])
        RESPONSES[op_id].model_validate(r.json())


def test_errors_have_the_error_model_shape(ceo: TestClient) -> None:
    for url in ("/api/kpis/no_such_metric", "/api/deals/risk?top=abc", "/api/forecast?period=2025-Q9"):
        r = ceo.get(url)
        assert 400 <= r.status_code < 500, url
        ErrorResponse.model_validate(r.json())
