"""Local accounts, server-side sessions and API tokens (secure mode).

Passwords are stored as argon2 hashes; session ids and API tokens are random secrets of which
only a SHA-256 digest is stored, so a copy of the app database signs nobody in. Failed sign-ins
count towards a lockout (``lockout_attempts`` failures lock the account for ``lockout_minutes``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from revintel.appdb.base import AppDB, Base, utcnow
from revintel.errors import AuthRequired, InvalidRequest, NotFound
from revintel.scope import Scope, get_role
from revintel.text import nearest

_HASHER = PasswordHasher()
TOKEN_PREFIX = "rvi_"  # noqa: S105 - a marker, not a secret


class UserAccount(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(60))
    scope_rows: Mapped[dict] = mapped_column(JSON, default=dict)
    password_hash: Mapped[str | None] = mapped_column(String(400), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class UserSession(Base):
    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


@dataclass(frozen=True)
class Account:
    """A read-only view of one account (never carries the hash)."""

    name: str
    display_name: str
    role: str
    scope_rows: Mapping[str, tuple[str, ...]]
    disabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime
    last_login: dt.datetime | None

    @property
    def scope(self) -> Scope:
        return Scope.build(self.role, dict(self.scope_rows), persona=self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "scope": self.scope.to_dict(),
            "disabled": self.disabled,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "created_at": self.created_at.isoformat(),
            "last_login": self.last_login.isoformat() if self.last_login else None,
        }


def digest(secret: str) -> str:
    """SHA-256 hex digest of a session id or token (what the database stores)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(u: UserAccount) -> Account:
    rows = {k: tuple(v) for k, v in (u.scope_rows or {}).items()}
    return Account(
        u.name, u.display_name, u.role, rows, u.disabled, u.locked_until, u.created_at, u.last_login
    )


def _get(s: Any, name: str) -> UserAccount:
    u = s.scalar(select(UserAccount).where(UserAccount.name == name))
    if u is None:
        known = list(s.scalars(select(UserAccount.name)))
        raise NotFound(f"no user named {name!r}", hint=nearest(name, known))
    return u


#: Dimensions an account's row scope may restrict.
SCOPE_DIMENSIONS = ("region", "capability", "team", "rep", "manager", "account", "sector", "tier", "product")


def check_scope(role: str, rows: Mapping[str, Any]) -> None:
    """Refuse unknown scope dimensions and a bound role without its dimension (regional lead, no region).

    Raises:
        NotFound: unknown role. InvalidRequest: bad dimension or missing binding.
    """
    r = get_role(role)
    for dim in rows:
        if dim not in SCOPE_DIMENSIONS:
            raise InvalidRequest(f"unknown scope dimension {dim!r}", hint=nearest(dim, SCOPE_DIMENSIONS))
    for dim in r.bound_to:
        if not rows.get(dim):
            raise InvalidRequest(
                f"a {r.label.lower()} account needs a {dim} scope", hint=f"add --scope {dim}=VALUE"
            )


def add_user(
    db: AppDB,
    name: str,
    role: str,
    password: str | None,
    scope_rows: Mapping[str, list[str] | tuple[str, ...]] | None = None,
    display_name: str | None = None,
) -> Account:
    """Create an account; raises InvalidRequest for a duplicate name, short password or unknown role."""
    check_scope(role, scope_rows or {})
    if not name or len(name) > 120 or any(c.isspace() for c in name):
        raise InvalidRequest(
            f"invalid user name {name!r}", hint="use letters, digits, dots, dashes; no spaces"
        )
    if password is not None and len(password) < 8:
        raise InvalidRequest("password too short", hint="use at least 8 characters")
    with db.session() as s:
        if s.scalar(select(UserAccount.id).where(UserAccount.name == name)) is not None:
            raise InvalidRequest(f"user {name!r} already exists")
        u = UserAccount(
            name=name,
            display_name=display_name or name,
            role=role,
            scope_rows={k: list(v) for k, v in (scope_rows or {}).items()},
            password_hash=_HASHER.hash(password) if password else None,
        )
        s.add(u)
        s.flush()
        return _view(u)


def list_users(db: AppDB) -> list[Account]:
    with db.session() as s:
        return [_view(u) for u in s.scalars(select(UserAccount).order_by(UserAccount.name))]


def get_user(db: AppDB, name: str) -> Account:
    with db.session() as s:
        return _view(_get(s, name))


def set_disabled(db: AppDB, name: str, disabled: bool = True) -> Account:
    """Disable (or re-enable) an account; disabling also ends its sessions and revokes its tokens."""
    with db.session() as s:
        u = _get(s, name)
        u.disabled = disabled
        if disabled:
            for sess in s.scalars(select(UserSession).where(UserSession.user_id == u.id)):
                s.delete(sess)
            for tok in s.scalars(select(ApiToken).where(ApiToken.user_id == u.id)):
                tok.revoked = True
        else:
            u.failed_attempts, u.locked_until = 0, None
        return _view(u)


def set_password(db: AppDB, name: str, password: str) -> None:
    if len(password) < 8:
        raise InvalidRequest("password too short", hint="use at least 8 characters")
    with db.session() as s:
        _get(s, name).password_hash = _HASHER.hash(password)


class SignInFailed(AuthRequired):
    """A failed password sign-in. Its message is the same whatever the cause (unknown name, wrong
    password, locked or disabled account, no password), so it reveals nothing about accounts;
    :attr:`reason` says which one for the audit trail only."""

    reason: str = "wrong password"


SIGNIN_FAILED = "wrong user name or password, or this account cannot sign in now"
SIGNIN_HINT = "check both and try again; if it keeps failing, ask an administrator"


def _failed(reason: str) -> SignInFailed:
    exc = SignInFailed(SIGNIN_FAILED, hint=SIGNIN_HINT)
    exc.reason = reason
    return exc


def verify_password(db: AppDB, name: str, password: str, *, attempts: int, minutes: int) -> Account:
    """Check a sign-in; counts failures and locks the account after ``attempts`` of them.

    Raises:
        SignInFailed: unknown user, no password, wrong password, disabled or locked account, all
            with the same message (``reason`` tells them apart for the audit trail).
    """
    now = utcnow()
    with db.session() as s:
        u = s.scalar(select(UserAccount).where(UserAccount.name == name))
        if u is None or not u.password_hash:
            _HASHER.hash(password or "x")  # same cost either way: no user-name oracle by timing
            raise _failed("unknown user" if u is None else "no password (token-only account)")
        try:
            _HASHER.verify(u.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        else:
            ok = True
        if u.disabled:
            raise _failed("account disabled")
        if u.locked_until and u.locked_until > now:
            raise _failed(f"account locked until {u.locked_until:%Y-%m-%d %H:%M} UTC")
        if ok:
            u.failed_attempts, u.locked_until, u.last_login = 0, None, now
            if _HASHER.check_needs_rehash(u.password_hash):
                u.password_hash = _HASHER.hash(password)
            return _view(u)
        u.failed_attempts += 1
        reason = "wrong password"
        if u.failed_attempts >= attempts:
            u.locked_until = now + dt.timedelta(minutes=minutes)
            u.failed_attempts = 0
            reason = f"wrong password; account locked for {minutes} minutes"
    raise _failed(reason)


def create_session(db: AppDB, name: str, hours: float) -> str:
    """Start a server-side session; returns the secret session id (only its digest is stored)."""
    sid = secrets.token_urlsafe(32)
    with db.session() as s:
        u = _get(s, name)
        s.add(UserSession(id_hash=digest(sid), user_id=u.id, expires_at=utcnow() + dt.timedelta(hours=hours)))
    return sid


def session_user(db: AppDB, sid: str) -> Account | None:
    """The account of a live session, or None (expired, unknown, or the account is disabled)."""
    with db.session() as s:
        sess = s.get(UserSession, digest(sid))
        if sess is None:
            return None
        if sess.expires_at <= utcnow():
            s.delete(sess)
            return None
        u = s.get(UserAccount, sess.user_id)
        return None if u is None or u.disabled else _view(u)


def end_session(db: AppDB, sid: str) -> None:
    with db.session() as s:
        sess = s.get(UserSession, digest(sid))
        if sess is not None:
            s.delete(sess)


def create_token(db: AppDB, name: str) -> str:
    """Issue a new API token for ``name``; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.session() as s:
        u = _get(s, name)
        if u.disabled:
            raise InvalidRequest(f"user {name!r} is disabled", hint="re-enable the account first")
        s.add(ApiToken(user_id=u.id, token_hash=digest(token), prefix=token[:10]))
    return token


def token_user(db: AppDB, token: str) -> Account | None:
    """The account an API token belongs to, or None (unknown, revoked, disabled)."""
    with db.session() as s:
        tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
        if tok is None or tok.revoked:
            return None
        u = s.get(UserAccount, tok.user_id)
        if u is None or u.disabled:
            return None
        tok.last_used = utcnow()
        return _view(u)


def upsert_sso_user(
    db: AppDB, name: str, display_name: str, role: str, scope_rows: Mapping[str, list[str]]
) -> Account:
    """Create or refresh the local account of a single-sign-on user (no password; role and scope follow
    the identity provider's groups at every sign-in). A disabled account stays disabled.

    Raises:
        AuthRequired: the account was disabled by an administrator.
    """
    check_scope(role, scope_rows)
    with db.session() as s:
        u = s.scalar(select(UserAccount).where(UserAccount.name == name))
        if u is None:
            u = UserAccount(name=name, display_name=display_name[:200], role=role, password_hash=None)
            s.add(u)
        elif u.disabled:
            raise AuthRequired("sign-in failed", hint="ask an administrator")
        u.display_name, u.role = display_name[:200], role
        u.scope_rows = {k: list(v) for k, v in scope_rows.items()}
        u.last_login = utcnow()
        s.flush()
        return _view(u)
