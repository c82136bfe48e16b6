"""``/login`` and ``/logout``: one-click personas (demo mode) or user name and password (secure mode)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from revintel.appdb import audit
from revintel.errors import AuthRequired, InvalidRequest, RateLimited, RevintelError
from revintel.http import accounts, sso
from revintel.http.auth import (
    SESSION_COOKIE,
    persona_user,
    read_session_cookie,
    resolve_user,
    set_session_cookie,
)
from revintel.http.deps import RuntimeDep
from revintel.runtime import Runtime
from revintel.scope import personas
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _personas(rt: Runtime) -> list:
    return list(personas(str(rt.settings.personas_file) if rt.settings.personas_file else None))


def _page(
    request: Request, rt: Runtime, error: RevintelError | None = None, status: int = 200, username: str = ""
) -> HTMLResponse:
    ctx = {
        "title": "Sign in",
        "personas": _personas(rt) if rt.settings.demo_mode else [],
        "sso": sso.enabled(rt.settings),
        "next": safe_next(request.query_params.get("next")),
        "error": error,
        "username": username,
        "show_filters": False,
        "bare": True,
    }
    return render(request, "login.html", ctx, status_code=status)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, rt: RuntimeDep) -> Response:
    """The sign-in page (already signed in: straight to the dashboard)."""
    if resolve_user(request, rt) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _page(request, rt)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, rt: RuntimeDep) -> Response:
    """Sign in: ``persona`` (demo) or ``username`` + ``password`` (secure); CSRF-checked by the guard."""
    form = await request.form()
    target = safe_next(str(form.get("next") or ""))
    response = RedirectResponse(target, status_code=303)
    if rt.settings.demo_mode:
        persona_id = str(form.get("persona") or "")
        if not persona_id:
            raise InvalidRequest("choose a persona to sign in as")
        user = persona_user(rt, persona_id)
        set_session_cookie(response, rt.settings, {"persona": user.id}, secure=accounts.is_https(request))
        await run_in_threadpool(
            audit.record,
            rt.appdb,
            actor=user.id,
            action="signin",
            scope=user.scope,
            detail={"mode": "demo", "ip": accounts.client_ip(request)},
        )
        return response
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    try:
        await run_in_threadpool(accounts.sign_in_secure, request, response, rt, username, password)
    except (AuthRequired, RateLimited) as exc:  # one message for every failure; 429 when throttled
        page = _page(request, rt, error=exc, status=exc.status, username=username)
        if isinstance(exc, RateLimited):
            page.headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        return page
    return response


@router.post("/logout")
async def logout(request: Request, rt: RuntimeDep) -> Response:
    """Sign out (ends the server-side session in secure mode)."""
    user = getattr(request.state, "user", None)
    payload = read_session_cookie(rt.settings, request.cookies.get(SESSION_COOKIE)) or {}
    target = "/login"
    if payload.get("sso") and sso.enabled(rt.settings):  # also end the provider's session
        login_url = str(request.base_url).rstrip("/") + "/login"
        end: str | None = await run_in_threadpool(sso.end_session_url, rt.settings, login_url)
        target = end or target
    response = RedirectResponse(target, status_code=303)
    await run_in_threadpool(accounts.sign_out, request, response, rt)
    if user is not None:
        await run_in_threadpool(audit.record, rt.appdb, actor=user.id, action="signout", scope=user.scope)
    return response
