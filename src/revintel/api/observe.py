"""``GET /metrics``: Prometheus metrics, for the scraper (a bearer token, or a loopback client)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from revintel.config import reveal
from revintel.errors import AuthRequired
from revintel.http.deps import SettingsDep
from revintel.observability.metrics import exposition

router = APIRouter(tags=["operations"])
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@router.get("/metrics", operation_id="prometheus_metrics", response_class=Response)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Request latency by route, queries by metric, cache hits, LLM/Genie calls, deliveries, ingest rows."""
    token = reveal(settings.metrics_token)
    if token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise AuthRequired("scraping /metrics needs the metrics token", hint="send Authorization: Bearer")
    elif (request.client.host if request.client else "") not in LOOPBACK:
        raise AuthRequired(
            "/metrics answers loopback clients only", hint="set REVINTEL_METRICS_TOKEN to scrape it remotely"
        )
    body, content_type = exposition()
    return Response(body, media_type=content_type)
