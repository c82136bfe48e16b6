"""What the current request is: its id, route and user, carried in a context variable."""

from __future__ import annotations

import contextvars
from typing import Any

_ctx: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("revintel_request", default=None)


def start(**fields: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Begin a request's context (the middleware calls this)."""
    return _ctx.set(dict(fields))


def reset(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _ctx.reset(token)


def bind(**fields: Any) -> None:
    """Add fields (e.g. ``user``) to the current request's context; a no-op outside a request."""
    ctx = _ctx.get()
    if ctx is not None:
        ctx.update({k: v for k, v in fields.items() if v is not None})


def current() -> dict[str, Any]:
    """A copy of the current request's fields (empty outside a request)."""
    return dict(_ctx.get() or {})


def request_id() -> str | None:
    return (_ctx.get() or {}).get("request_id")
