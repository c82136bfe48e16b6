"""Operations: request ids, JSON logs, /metrics scraped, traces request -> query -> warehouse."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from revintel.app import create_app
from revintel.config import Settings
from revintel.http.auth import SESSION_COOKIE, session_cookie_value
from revintel.observability import logs, tracing


@pytest.fixture
def scraper(demo_rt, client_as):
    """A signed-in client plus a scraper holding the metrics token."""
    settings = Settings(**{**demo_rt.settings.model_dump(), "metrics_token": "scrape-me-123"})
    app = create_app(settings)
    with TestClient(app) as c:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": "cfo"}))
        yield c


def _families(text: str) -> dict[str, list]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def test_metrics_are_scraped_with_the_token_and_count_requests_and_queries(scraper):
    assert scraper.get("/api/kpis/summary", params={"period": "2025"}).status_code == 200
    anonymous = scraper.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert anonymous.status_code == 401
    r = scraper.get("/metrics", headers={"Authorization": "Bearer scrape-me-123"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    fams = _families(r.text)
    latency = [
        s
        for s in fams["revintel_http_request_duration_seconds"]
        if s.name.endswith("_count") and s.labels["route"] == "/api/kpis/summary"
    ]
    # other tests in the process share the registry: look for this request's 200, not the first sample
    assert any(s.labels["status"] == "200" and s.value >= 1 for s in latency)
    queried = {s.labels["metric"] for s in fams["revintel_queries"] if s.name.endswith("_total")}
    assert "chargeable_hours" in queried
    assert any(s.labels["cache"] == "query_results" for s in fams["revintel_cache"])


def test_metrics_without_a_token_answer_loopback_only(client_as):
    c = client_as(None)  # the test client's address is not loopback
    r = c.get("/metrics")
    assert r.status_code == 401 and "REVINTEL_METRICS_TOKEN" in r.json()["hint"]


def test_every_response_carries_a_request_id_and_keeps_a_proxys(client_as):
    c = client_as("cfo")
    mine = c.get("/api/metrics")
    assert len(mine.headers["x-request-id"]) >= 16
    kept = c.get("/api/metrics", headers={"X-Request-ID": "proxy-abc-12345"})
    assert kept.headers["x-request-id"] == "proxy-abc-12345"
    bad = c.get("/api/metrics", headers={"X-Request-ID": "<script>"})
    assert bad.headers["x-request-id"] != "<script>"


def test_logs_are_json_lines_with_request_id_user_and_route(client_as):
    stream = io.StringIO()
    handler = logs.configure("INFO", "json", stream)
    try:
        r = client_as("cfo").get("/api/kpis/chargeable_hours", params={"period": "2025"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    access = [x for x in lines if x["logger"] == "revintel.access"]
    assert access, lines
    line = access[-1]
    assert line["request_id"] == r.headers["x-request-id"]
    assert line["route"].startswith("/api/kpis/{") and line["user"] == "cfo" and line["status"] == 200


def test_a_request_is_traced_through_the_semantic_query_to_the_warehouse(demo_rt, client_as):
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    if not tracing.configure(exporter=exporter):
        pytest.skip("a tracer provider was already installed in this process")
    client_as("cfo").post(
        "/api/query", json={"metrics": ["fees"], "dimensions": ["region"], "period": "2024-Q3"}
    )
    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    def ancestors(span):
        while span.parent and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            yield span

    request = next(s for s in spans if s.name == "HTTP POST /api/query")
    query = next(s for s in spans if s.name == "semantic.query")
    assert request in ancestors(query) and "fees" in query.attributes["revintel.metrics"]
    execute = next(s for s in spans if s.name == "warehouse.execute")
    assert query in ancestors(execute) and execute.attributes["db.system"] == "duckdb"
