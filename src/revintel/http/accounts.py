"""Secure-mode sign-in (sessions, API tokens, lockout) and CSRF protection for both modes.

Sessions: the browser holds a signed, HttpOnly, SameSite=Lax cookie naming a random session id;
the app database stores only its digest (``revintel.appdb.users``), so signing out or disabling
an account ends the session server-side. API clients send ``Authorization: Bearer rvi_...``.

CSRF: every state-changing request (POST, PUT, PATCH, DELETE) made with a cookie must carry a
token, as the ``csrf_token`` form field or the ``X-CSRF-Token`` header. The token is an HMAC of a
random per-browser nonce (cookie ``revintel_csrf``) under the secret key, so a cookie planted by
another site cannot be paired with a token it can compute. Bearer-token requests carry no ambient
credential and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from revintel.appdb import audit, signins, users
from revintel.config import Settings
from revintel.errors import AuthRequired, Forbidden, RateLimited
from revintel.http.auth import SESSION_COOKIE, SESSION_MAX_AGE, User, read_session_cookie, set_session_cookie
from revintel.runtime import Runtime

CSRF_COOKIE = "revintel_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token_for(settings: Settings, nonce: str) -> str:
    """The CSRF token that pairs with the ``revintel_csrf`` cookie value ``nonce``."""
    return hmac.new(settings.signing_key.encode(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def new_csrf_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce; a fresh one (set on the response by ``render``) when it has none."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if not nonce:
        nonce = new_csrf_nonce()
        request.state.csrf_nonce = nonce
        request.state.csrf_cookie_needed = True
    return nonce


def set_csrf_cookie(response: Response, request: Request) -> None:
    """Send the nonce cookie if this request had to mint one."""
    if getattr(request.state, "csrf_cookie_needed", False):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_nonce,
            max_age=SESSION_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )


async def check_csrf(request: Request, settings: Settings) -> None:
    """Refuse a state-changing cookie request whose CSRF token is missing or wrong.

    Raises:
        Forbidden: with code ``csrf_failed`` in ``details``.
    """
    # a Bearer request carries no ambient credential, but only in secure mode does the token (not
    # the cookie) identify the caller: in demo mode a stray header must not skip the check
    if request.method in SAFE_METHODS or (bearer_token(request) and not settings.demo_mode):
        return
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if not sent and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not nonce or not sent or not hmac.compare_digest(sent, csrf_token_for(settings, nonce)):
        raise Forbidden(
            "missing or invalid CSRF token",
            hint="reload the page and try again (forms carry a token; scripts send the X-CSRF-Token header)",
            details={"reason": "csrf_failed"},
        )


def _is_form(request: Request) -> bool:
    ctype = request.headers.get("content-type", "")
    return ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def bearer_token(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _user(acc: users.Account, via: str) -> User:
    return User(id=acc.name, name=acc.display_name, role=acc.role, scope=acc.scope, via=via)


def resolve_secure_user(request: Request, rt: Runtime, payload: dict | None) -> User | None:
    """Secure mode: the user of a Bearer token or of the signed session cookie, else None.

    Raises:
        AuthRequired: a Bearer token was sent but is unknown, revoked or belongs to a disabled account.
    """
    token = bearer_token(request)
    if token:
        acc = users.token_user(rt.appdb, token)
        if acc is None:
            raise AuthRequired(
                "invalid or revoked API token", hint="create one with `revintel users token NAME`"
            )
        return _user(acc, "token")
    sid = (payload or {}).get("sid")
    if not sid:
        return None
    acc = users.session_user(rt.appdb, sid)
    return _user(acc, "session") if acc else None


def sign_in_secure(request: Request, response: Response, rt: Runtime, name: str, password: str) -> User:
    """Check a password (throttled, with lockout), start a server-side session and set its cookie.

    Every failed attempt is audited with its real reason; the caller only ever sees one message.

    Raises:
        RateLimited: too many failed sign-ins for this name or from this address (app database,
            so the limit holds across workers).
        users.SignInFailed: the same message for an unknown name, a wrong password, a locked or a
            disabled account.
    """
    s = rt.settings
    ip = client_ip(request)
    actor = name[:200] or "?"
    try:
        signins.check(
            rt.appdb,
            name,
            ip,
            per_account=s.signin_limit_per_account,
            per_address=s.signin_limit_per_address,
            minutes=s.signin_window_minutes,
        )
    except RateLimited as exc:
        audit.audited(rt.appdb, actor, "signin", outcome="denied", detail={"reason": "throttled", "ip": ip})
        raise exc from None
    try:
        acc = users.verify_password(
            rt.appdb, name, password, attempts=s.lockout_attempts, minutes=s.lockout_minutes
        )
    except users.SignInFailed as exc:
        signins.record_failure(rt.appdb, name, ip, minutes=s.signin_window_minutes)
        audit.audited(rt.appdb, actor, "signin", outcome="denied", detail={"reason": exc.reason, "ip": ip})
        raise
    signins.clear_account(rt.appdb, acc.name)
    sid = users.create_session(rt.appdb, acc.name, hours=SESSION_MAX_AGE / 3600)
    set_session_cookie(response, s, {"sid": sid}, secure=is_https(request))
    user = _user(acc, "session")
    audit.audited(
        rt.appdb,
        acc.name,
        "signin",
        scope=acc.scope,
        detail={"mode": "secure", "ip": ip},
    )
    return user


def sign_out(request: Request, response: Response, rt: Runtime) -> None:
    """End the session (server-side in secure mode) and clear the cookie."""
    payload = read_session_cookie(rt.settings, request.cookies.get(SESSION_COOKIE)) or {}
    if payload.get("sid"):
        users.end_session(rt.appdb, payload["sid"])
    response.delete_cookie(SESSION_COOKIE)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None
