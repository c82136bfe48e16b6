"""Who is calling: the signed-in user and their scope.

Demo mode: a signed cookie names a demo persona. Secure mode (``REVINTEL_AUTH=secure``): the
cookie names a server-side session of a local account, or ``Authorization: Bearer`` carries an
API token. Either way the request ends with a :class:`User` whose :class:`Scope` every service
receives as a value.
"""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from revintel.config import Settings
from revintel.errors import AuthRequired, NotFound
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.services.identity import User

SESSION_COOKIE = "revintel_session"
SESSION_MAX_AGE = 12 * 3600


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.signing_key, salt="revintel-session")


def session_cookie_value(settings: Settings, payload: dict) -> str:
    """Sign a session payload for the cookie."""
    return _serializer(settings).dumps(payload)


def set_session_cookie(response: Response, settings: Settings, payload: dict, secure: bool = False) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(settings, payload),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def read_session_cookie(settings: Settings, value: str | None) -> dict | None:
    if not value:
        return None
    try:
        return _serializer(settings).loads(value, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None


def persona_user(rt: Runtime, persona_id: str) -> User:
    p = get_persona(persona_id, str(rt.settings.personas_file) if rt.settings.personas_file else None)
    return User(id=p.id, name=p.name, role=p.role, scope=p.scope)


def resolve_user(request: Request, rt: Runtime) -> User | None:
    """The signed-in user, or None (secure-mode sessions and tokens: ``revintel.http.accounts``)."""
    payload = read_session_cookie(rt.settings, request.cookies.get(SESSION_COOKIE))
    if rt.settings.demo_mode:
        if payload and payload.get("persona"):
            try:
                return persona_user(rt, payload["persona"])
            except NotFound:  # a persona removed from the personas file since sign-in
                return None
        return None
    from revintel.http import accounts  # secure mode: local accounts, sessions and tokens

    return accounts.resolve_secure_user(request, rt, payload)


def require_user(request: Request, rt: Runtime) -> User:
    """The signed-in user (cached on ``request.state.user``).

    Raises:
        AuthRequired: nobody is signed in (pages redirect to /login, the API answers 401).
    """
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    user = resolve_user(request, rt)
    if user is None:
        raise AuthRequired("sign in first", hint="open /login")
    request.state.user = user
    return user


#: query parameters that narrow the caller's scope on any route (outside the scope: 403)
SCOPE_FILTERS = ("region", "capability")

#: Paths anyone may open; every other route requires a signed-in user (see :func:`guard`).
# /metrics checks its own bearer token (REVINTEL_METRICS_TOKEN), as scrapers have no session
PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/api/health",
        "/api/ready",
        "/favicon.ico",
        "/metrics",
        "/auth/oidc/login",
        "/auth/oidc/callback",
    }
)
# chat platforms authenticate each request by its signature (revintel.chat), not by a session
PUBLIC_PREFIXES = ("/static/", "/integrations/")
SIGNED_PREFIXES = ("/integrations/",)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


async def guard(request: Request) -> None:
    """App-wide dependency run before every route: sign-in, CSRF, then per-user rate limits.

    Installed once by :func:`revintel.app.create_app` as an app-level dependency, so routers added
    by any module inherit it without opting in.
    """
    from starlette.concurrency import run_in_threadpool

    from revintel.http import accounts, ratelimit

    rt: Runtime = request.app.state.runtime
    path = request.url.path
    user = None if is_public(path) else await run_in_threadpool(require_user, request, rt)
    if not path.startswith(SIGNED_PREFIXES):  # chat requests carry a signature instead of cookies
        await accounts.check_csrf(request, rt.settings)
    if user is None:
        return
    from revintel.observability import bind

    bind(user=user.id)  # the request's log lines and span name who asked
    if path.startswith("/api/"):
        # the API refuses a region/capability filter outside the caller's scope (403) on every route;
        # pages do not widen either: they leave it out and say so (issue 11, filters never break a page)
        # every value of a repeated parameter (?region=EMEA&region=APAC): a route may read the last one
        q = request.query_params
        for dim in SCOPE_FILTERS:
            for value in q.getlist(dim):
                user.scope.check_filters({dim: value.strip()})
    limiter: ratelimit.SlidingWindow = request.app.state.rate_limiter
    # pages are metered like the API (their own bucket, the same limit): a page costs the warehouse as much
    limiter.hit("api" if path.startswith("/api/") else "pages", user.id, rt.settings.rate_limit_per_minute)
    if ratelimit.is_ask(request.method, path):
        limiter.hit("ask", user.id, rt.settings.ask_rate_limit_per_minute)
