"""Administration: audited admin actions (users, tokens, uploads and loads)."""

from __future__ import annotations

from typing import Any

from revintel.runtime import Runtime
from revintel.services.audited import audited
from revintel.services.identity import User


def record_admin(rt: Runtime, user: User, action: str, target: str | None = None, **detail: Any) -> None:
    """Audit one admin action by ``user`` (action ``admin.<action>``)."""
    audited(rt.appdb, user, f"admin.{action}", target, detail=detail)
