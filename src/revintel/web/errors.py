"""One error handler: a page that says what went wrong for browsers, JSON for the API."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from revintel.errors import AuthRequired, Forbidden, InvalidRequest, NotFound, RevintelError

log = logging.getLogger(__name__)


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

    audit.record(
        request.app.state.runtime.appdb, actor=user.id, action="access", outcome="denied", scope=user.scope,
        target=request.url.path, detail={"reason": exc.message, "query": request.url.query or None},
    )


def _title(exc: RevintelError) -> str:
    return {
        400: "Bad request", 401: "Sign-in required", 403: "Not allowed", 404: "Not found",
        422: "Invalid input", 429: "Too many requests",
    }.get(exc.status, "Something went wrong")


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
        # process boundary: log the traceback, tell the user something failed (no internals leaked)
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        err = RevintelError(
            "something went wrong on our side while building this page",
            hint="try again; if it persists, tell your administrator (the server log has the details)",
        )
        return error_response(request, err)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        ]
        err = InvalidRequest("invalid request parameters", details={"problems": problems})
        return error_response(request, err)
