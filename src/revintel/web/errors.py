"""One error handler: a page that says what went wrong for browsers, JSON for the API."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from revintel.errors import AuthRequired, Forbidden, InvalidRequest, NotFound, RevintelError

log = logging.getLogger(__name__)


_COMMAND = re.compile(r"`?\brevintel(?: [a-z][\w-]*)+(?: --?[\w-]+(?:[ =][^\s`,;]+)?)*`?")
_FLAG = re.compile(r"(?<![\w-])--([a-z][\w-]*)")
#: file-system paths on a server (not URL paths like /kpi/fees): under a usual root, or a drive
_PATH = re.compile(
    r"(?<![\w.])(?:[A-Za-z]:)?/(?:home|srv|tmp|var|opt|usr|work|root|Users|mnt|data|etc)"
    r"(?:/[\w.@+-]+)+/?"
)


def for_people(text: str | None) -> str:
    """An error message for a web page: no CLI commands or flags, no server paths (the log keeps them).

    ``run `revintel db upgrade``` -> ``ask your administrator to run the upgrade``; ``--to`` -> ``to``;
    ``/srv/revintel/uploads/x.csv`` -> ``x.csv``.
    """
    if not text:
        return ""
    out = _COMMAND.sub("the administrator's command", text)
    out = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], out)
    return _FLAG.sub(lambda m: m.group(1).replace("-", " "), out)


def wants_html(request: Request) -> bool:
    """Browsers asking for a page get HTML; ``/api/...`` and scripts get JSON."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _headers(exc: RevintelError) -> dict[str, str]:
    retry = exc.details.get("retry_after") if exc.details else None
    return {"Retry-After": str(retry)} if retry else {}


def error_response(request: Request, exc: RevintelError) -> Response:
    """Render ``exc``: a redirect to /login for signed-out browsers, else a page or JSON."""
    if isinstance(exc, Forbidden):
        _audit_denied(request, exc)
    if not wants_html(request):
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=_headers(exc))
    if isinstance(exc, AuthRequired) and request.method == "GET" and request.url.path != "/login":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    from revintel.web.templating import render

    ctx = {"title": f"{exc.status} · {_title(exc)}", "error": exc, "show_filters": False}
    response = render(request, "error.html", ctx, status_code=exc.status)
    response.headers.update(_headers(exc))
    return response


def _audit_denied(request: Request, exc: Forbidden) -> None:
    """Record a signed-in user's refused request (scope or permission) in the audit log."""
    user = getattr(request.state, "user", None)
    if user is None:
        return
    from revintel.appdb import audit

    audit.audited(
        request.app.state.runtime.appdb,
        user.id,
        "access",
        outcome="denied",
        scope=user.scope,
        target=request.url.path,
        detail={"reason": exc.message, "query": request.url.query or None},
    )


def _title(exc: RevintelError) -> str:
    return {
        400: "Bad request",
        401: "Sign-in required",
        403: "Not allowed",
        404: "Not found",
        422: "Invalid input",
        429: "Too many requests",
    }.get(exc.status, "Something went wrong")


def _unexpected_response(request: Request) -> Response:
    # process boundary: log the traceback, tell the user something failed (no internals leaked)
    log.exception("unexpected error serving %s %s", request.method, request.url.path)
    err = RevintelError(
        "something went wrong on our side while building this page",
        hint="try again; if it persists, tell your administrator (the server log has the details)",
    )
    return error_response(request, err)


class CatchAll:
    """ASGI middleware: an exception no handler took becomes the 500 page or JSON, and is not
    re-raised, so the server keeps the client's keep-alive connection open (a 500 that reached
    uvicorn used to close it and reset the client's next request). When the response had already
    started, the error is re-raised: only closing the connection can end a half-sent response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if started:
                raise
            response = _unexpected_response(Request(scope))
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the handlers for RevintelError, HTTP errors and request validation errors."""

    @app.exception_handler(RevintelError)
    async def _revintel(request: Request, exc: RevintelError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            err: RevintelError = NotFound(
                f"no page at {request.url.path}", hint="use the navigation on the left"
            )
        else:
            err = RevintelError(str(exc.detail))
            err.status = exc.status_code  # type: ignore[misc]
            err.code = "http_error"  # type: ignore[misc]
        return error_response(request, err)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return _unexpected_response(request)

    # innermost of the app's middleware: an unexpected error becomes its 500 here, so nothing
    # re-raises it to the server (which would close the client's keep-alive connection)
    app.add_middleware(CatchAll)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, invalid_parameters(exc.errors()))


def invalid_parameters(errors: Sequence[Any]) -> InvalidRequest:
    """FastAPI's validation errors as one 400 naming the first bad parameter and what it expects
    (``seed: input should be greater than or equal to 0``), every problem in ``details``."""
    problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors]
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body", "header", "cookie")]
    name = ".".join(loc) or "request"
    expected = str(first.get("msg") or "a valid value")
    expected = expected[:1].lower() + expected[1:]
    value = first.get("input")
    return InvalidRequest(
        f"{name}: {expected}",
        hint="the API description (/api/openapi.json) gives each parameter's type and range",
        details={
            "parameter": name,
            "value": str(value)[:80] if isinstance(value, str | int | float) else None,
            "expected": expected,
            "problems": problems[:20],
        },
    )
