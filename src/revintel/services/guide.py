"""The Ask question guide (Markdown or PDF) for the caller: only the metrics of their domains."""

from __future__ import annotations

from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User


def audited_guide(rt: Runtime, user: User, fmt: str, scope: Scope | None = None) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the caller's question guide, audited.

    ``scope`` is the caller's scope narrowed by the page filters (default: the caller's own).

    Raises:
        Forbidden: the caller may not ask questions (no ``drill`` permission).
        InvalidRequest: ``fmt`` is not ``md`` or ``pdf``.
    """
    from revintel.ask.guide import build_guide, check_format, render

    own = authz.drill(user)
    scope = scope or own
    check_format(fmt)
    guide = build_guide(rt, scope)
    out = render(guide, fmt)
    audited(
        rt.appdb, user, "export", "ask/guide", scope=scope, detail={"format": fmt}, rows=len(guide.entries)
    )
    return out
