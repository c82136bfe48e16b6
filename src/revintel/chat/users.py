"""Which revintel user a chat user is: a YAML map per platform, resolved to an account or a demo persona."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from revintel.appdb import users
from revintel.errors import ConfigError, Forbidden, NotFound
from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.services.identity import User


def load_map(path: Path | None) -> dict[str, dict[str, str]]:
    """``{platform: {chat user id: revintel user}}`` from ``REVINTEL_CHAT_USER_MAP``."""
    if path is None:
        return {}
    try:
        doc: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the chat user map {Path(path).name}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"the chat user map {Path(path).name} must map platforms to users")
    return {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in doc.items()}


def resolve(rt: Runtime, platform: str, chat_user: str) -> User:
    """The revintel user behind ``chat_user`` on ``platform``.

    Raises:
        Forbidden: the chat user is not mapped, or the account is disabled or unknown.
    """
    name = load_map(rt.settings.chat_user_map).get(platform, {}).get(chat_user)
    if not name:
        raise Forbidden(
            "your chat account is not linked to a revintel user", hint="ask an administrator to link it"
        )
    if rt.settings.demo_mode:
        try:
            p = get_persona(name, str(rt.settings.personas_file) if rt.settings.personas_file else None)
        except NotFound:
            raise Forbidden("your chat account is linked to an unknown revintel user") from None
        return User(id=p.id, name=p.name, role=p.scope.role, scope=p.scope, via=platform)
    try:
        acc = users.get_user(rt.appdb, name)
    except NotFound:
        raise Forbidden("your chat account is linked to an unknown revintel user") from None
    if acc.disabled:
        raise Forbidden("your revintel account is disabled")
    return User(id=acc.name, name=acc.display_name, role=acc.role, scope=acc.scope, via=platform)
