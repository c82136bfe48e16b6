"""Single sign-on with OpenID Connect: Authorization Code flow with PKCE (Authlib), ID tokens
verified against the provider's keys (joserfc), identity-provider groups mapped to a role and row scope.

The flow: ``/auth/oidc/login`` stores a random state, nonce and PKCE verifier in a short-lived signed
cookie and redirects to the provider; ``/auth/oidc/callback`` checks the state, exchanges the code (with
the verifier), verifies the ID token's signature, issuer, audience, expiry and nonce, maps the groups
claim through ``REVINTEL_OIDC_GROUP_MAP`` and starts an ordinary server-side session for a local
account kept in step with the provider (no password: it cannot sign in any other way). Local accounts
with passwords stay available for break-glass access.
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from revintel.config import Settings, reveal
from revintel.errors import AuthRequired, ConfigError, Forbidden, ProviderError
from revintel.scope import ROLES

STATE_COOKIE = "revintel_oidc"
STATE_MAX_AGE = 600
LEEWAY_SECONDS = 30
TIMEOUT = 10.0


@dataclass(frozen=True)
class Grant:
    """What a signed-in SSO user may do: a role and row scope, from their first mapped group."""

    role: str
    rows: dict[str, list[str]]
    group: str


@dataclass(frozen=True)
class Identity:
    """A verified sign-in: the stable subject, a display name, email and groups, and the grant."""

    subject: str
    name: str
    email: str | None
    groups: list[str]
    grant: Grant

    @property
    def account_name(self) -> str:
        """The local account name: ``sso:<email or subject>`` (never collides with a local user)."""
        return f"sso:{self.email or self.subject}"[:120]


def enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id) and not settings.demo_mode


@functools.lru_cache(maxsize=8)
def _discovery(issuer: str) -> dict[str, Any]:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        r = httpx.get(url, timeout=TIMEOUT)
        r.raise_for_status()
        doc = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderError(
            "the sign-in provider could not be reached", hint="check REVINTEL_OIDC_ISSUER and try again"
        ) from exc
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "issuer"):
        if key not in doc:
            raise ProviderError(f"the sign-in provider's configuration has no {key}")
    return doc


def _keys(jwks_uri: str) -> KeySet:
    try:
        r = httpx.get(jwks_uri, timeout=TIMEOUT)
        r.raise_for_status()
        return KeySet.import_key_set(r.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise ProviderError("the sign-in provider's signing keys could not be read") from exc


def load_group_map(path: Path | None) -> list[tuple[str, Grant]]:
    """``groups: {name: {role, scope}}`` from YAML, in file order; roles checked against the role table."""
    if path is None:
        raise ConfigError("SSO needs REVINTEL_OIDC_GROUP_MAP: which groups get which role and scope")
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the SSO group map {Path(path).name}: {exc}") from exc
    out: list[tuple[str, Grant]] = []
    for group, spec in (doc.get("groups") or {}).items():
        role = (spec or {}).get("role")
        if role not in ROLES:
            raise ConfigError(
                f"SSO group map {Path(path).name}: group {group!r} has unknown role {role!r}",
                hint="roles: " + ", ".join(sorted(ROLES)),
            )
        rows = {
            str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
            for k, v in ((spec or {}).get("scope") or {}).items()
        }
        out.append((str(group), Grant(role, rows, str(group))))
    return out


def grant_for(groups: list[str], mapping: list[tuple[str, Grant]]) -> Grant:
    """The first mapped group the user belongs to; none -> Forbidden (never a default role)."""
    member = set(groups)
    for group, grant in mapping:
        if group in member:
            return grant
    raise Forbidden(
        "your account has no revintel role", hint="ask an administrator to add one of your groups to revintel"
    )


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.signing_key, salt="revintel-oidc-state")


def _client(settings: Settings, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=reveal(settings.oidc_client_secret),
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT,
    )


def start(settings: Settings, redirect_uri: str, next_path: str) -> tuple[str, str]:
    """(URL to send the browser to, signed state cookie value) for a new sign-in."""
    doc = _discovery(str(settings.oidc_issuer))
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            doc["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    assert create_s256_code_challenge(verifier) in url
    cookie = _signer(settings).dumps(
        {"state": state, "nonce": nonce, "verifier": verifier, "next": next_path}
    )
    return url, cookie


def finish(
    settings: Settings, redirect_uri: str, cookie: str | None, params: dict[str, str]
) -> tuple[Identity, str]:
    """Verify the provider's answer and return the identity and the page to go to next.

    Raises:
        AuthRequired: no or stale sign-in state, a state mismatch, an error from the provider, or an
            ID token whose signature, issuer, audience, expiry or nonce does not check out.
        Forbidden: the user is in no mapped group.
    """
    if params.get("error"):
        raise AuthRequired(
            "the sign-in provider refused the sign-in", hint="try again or ask an administrator"
        )
    try:
        saved = _signer(settings).loads(cookie or "", max_age=STATE_MAX_AGE)
    except BadSignature:
        raise AuthRequired("the sign-in expired or was started elsewhere", hint="sign in again") from None
    if not secrets.compare_digest(str(params.get("state", "")), saved["state"]) or not params.get("code"):
        raise AuthRequired("the sign-in answer does not match this browser's request", hint="sign in again")
    doc = _discovery(str(settings.oidc_issuer))
    with _client(settings, redirect_uri) as client:
        try:
            token = client.fetch_token(
                doc["token_endpoint"], code=params["code"], code_verifier=saved["verifier"]
            )
        except Exception as exc:  # authlib raises OAuthError / httpx errors: the provider said no
            raise AuthRequired(
                "the sign-in provider did not accept the sign-in code", hint="sign in again"
            ) from exc
    claims = verify_id_token(settings, doc, str(token.get("id_token") or ""), saved["nonce"])
    groups = claims.get(settings.oidc_groups_claim) or []
    groups = [groups] if isinstance(groups, str) else [str(g) for g in groups]
    grant = grant_for(groups, load_group_map(settings.oidc_group_map))
    identity = Identity(
        subject=str(claims["sub"]),
        name=str(claims.get("name") or claims.get("email") or claims["sub"]),
        email=str(claims["email"]) if claims.get("email") else None,
        groups=groups,
        grant=grant,
    )
    return identity, saved.get("next") or "/"


def verify_id_token(
    settings: Settings, doc: dict[str, Any], id_token: str, nonce: str | None
) -> dict[str, Any]:
    """The ID token's claims after checking signature, issuer, audience, expiry and (when given) nonce."""
    if not id_token:
        raise AuthRequired("the sign-in provider sent no ID token")
    try:
        decoded = jwt.decode(id_token, _keys(doc["jwks_uri"]))
    except (JoseError, ValueError) as exc:
        raise AuthRequired("the sign-in token's signature does not verify") from exc
    claims = dict(decoded.claims)
    rules: dict[str, Any] = {
        "iss": {"essential": True, "value": doc["issuer"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }
    if nonce is not None:
        rules["nonce"] = {"essential": True, "value": nonce}
    try:
        jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **rules).validate(claims)
    except JoseError as exc:
        raise AuthRequired(f"the sign-in token was refused ({exc.error})", hint="sign in again") from exc
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if settings.oidc_client_id not in audiences:
        raise AuthRequired("the sign-in token was issued for another application", hint="sign in again")
    if float(claims["exp"]) < time.time() - LEEWAY_SECONDS:
        raise AuthRequired("the sign-in token has expired", hint="sign in again")
    return claims


def end_session_url(settings: Settings, post_logout: str) -> str | None:
    """The provider's RP-initiated logout URL, when it publishes one."""
    try:
        doc = _discovery(str(settings.oidc_issuer))
    except ProviderError:
        return None
    end = doc.get("end_session_endpoint")
    if not end:
        return None
    return str(
        httpx.URL(end, params={"client_id": settings.oidc_client_id, "post_logout_redirect_uri": post_logout})
    )
