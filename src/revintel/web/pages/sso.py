"""``/auth/oidc/login`` and ``/auth/oidc/callback``: single sign-on through the company's OIDC provider."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from revintel.appdb import audit, users
from revintel.errors import NotFound, RevintelError
from revintel.http import accounts, sso
from revintel.http.auth import SESSION_MAX_AGE, set_session_cookie
from revintel.http.deps import RuntimeDep
from revintel.runtime import Runtime
from revintel.web.pages.login import _page, safe_next

router = APIRouter(include_in_schema=False)
CALLBACK = "/auth/oidc/callback"


def _redirect_uri(request: Request, rt: Runtime) -> str:
    return rt.settings.oidc_redirect_url or str(request.base_url).rstrip("/") + CALLBACK


def _require_sso(rt: Runtime) -> None:
    if not sso.enabled(rt.settings):
        raise NotFound("single sign-on is not configured", hint="sign in with your user name and password")


@router.get("/auth/oidc/login")
async def oidc_login(request: Request, rt: RuntimeDep) -> Response:
    """Start a sign-in at the identity provider (Authorization Code with PKCE)."""
    _require_sso(rt)
    try:
        url, cookie = await run_in_threadpool(
            sso.start, rt.settings, _redirect_uri(request, rt), safe_next(request.query_params.get("next"))
        )
    except RevintelError as exc:
        return _page(request, rt, error=exc, status=exc.status)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        sso.STATE_COOKIE,
        cookie,
        max_age=sso.STATE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=accounts.is_https(request),
        path="/auth/oidc",
    )
    return response


@router.get(CALLBACK, response_class=HTMLResponse)
async def oidc_callback(request: Request, rt: RuntimeDep) -> Response:
    """The provider's answer: verify it, map groups to a role and scope, start a session."""
    _require_sso(rt)
    params = {k: v for k, v in request.query_params.items()}
    try:
        identity, target = await run_in_threadpool(
            sso.finish, rt.settings, _redirect_uri(request, rt), request.cookies.get(sso.STATE_COOKIE), params
        )
        acc = await run_in_threadpool(
            users.upsert_sso_user,
            rt.appdb,
            identity.account_name,
            identity.name,
            identity.grant.role,
            identity.grant.rows,
        )
    except RevintelError as exc:
        await run_in_threadpool(
            audit.record,
            rt.appdb,
            actor="sso",
            action="signin",
            outcome="denied",
            detail={"mode": "sso", "reason": exc.message, "ip": accounts.client_ip(request)},
        )
        page = _page(request, rt, error=exc, status=exc.status)
        page.delete_cookie(sso.STATE_COOKIE, path="/auth/oidc")
        return page
    sid = await run_in_threadpool(users.create_session, rt.appdb, acc.name, SESSION_MAX_AGE / 3600)
    response = RedirectResponse(safe_next(target), status_code=303)
    set_session_cookie(response, rt.settings, {"sid": sid, "sso": True}, secure=accounts.is_https(request))
    response.delete_cookie(sso.STATE_COOKIE, path="/auth/oidc")
    await run_in_threadpool(
        audit.record,
        rt.appdb,
        actor=acc.name,
        action="signin",
        scope=acc.scope,
        detail={"mode": "sso", "group": identity.grant.group, "ip": accounts.client_ip(request)},
    )
    return response
