"""The request observer: request id, JSON access log, latency histogram and a trace span per request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from revintel.observability import context, tracing
from revintel.observability.metrics import REQUEST_SECONDS

log = logging.getLogger("revintel.access")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def route_template(scope: dict[str, Any]) -> str:
    """The matched route's path template (bounded label), or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "/static" if str(scope.get("path", "")).startswith("/static/") else "unmatched"


class RequestObserver:
    """Pure ASGI middleware: every HTTP request gets an id (``X-Request-ID``, kept when a proxy sent a
    well-formed one), a span, a latency observation by route template and one access-log line."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode() for k, v in scope.get("headers", []) if k == b"x-request-id"), "")
        rid = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        token = context.start(
            request_id=rid, method=scope["method"], path=scope["path"], started=time.perf_counter()
        )
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            with tracing.span(f"HTTP {scope['method']}", **{"http.method": scope["method"]}) as sp:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    route = route_template(scope)
                    sp.update_name(f"HTTP {scope['method']} {route}")
                    sp.set_attribute("http.route", route)
                    sp.set_attribute("http.status_code", status["code"])
                    sp.set_attribute("revintel.request_id", rid)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            REQUEST_SECONDS.labels(route, scope["method"], str(status["code"])).observe(elapsed)
            context.bind(route=route)
            log.info(
                "%s %s %s",
                scope["method"],
                route,
                status["code"],
                extra={"status": status["code"], "duration_ms": round(elapsed * 1000, 1)},
            )
            context.reset(token)
