"""The caller of a service: who they are and the scope they act under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revintel.scope import Scope


@dataclass(frozen=True)
class User:
    """The caller of one request or command.

    Attributes:
        id: persona id (demo mode) or account name (secure mode); the audit log's actor.
        name: display name.
        role: role id (see :data:`revintel.scope.ROLES`).
        scope: rows, metric domains and permissions.
        via: ``session``, ``token`` or ``cli``.
    """

    id: str
    name: str
    role: str
    scope: Scope
    via: str = "session"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "via": self.via,
            "scope": self.scope.to_dict(),
        }

    @classmethod
    def system(cls, actor: str = "system") -> User:
        """An unrestricted caller for system jobs (never for a user request)."""
        return cls(id=actor, name=actor, role="admin", scope=Scope.everything(), via="cli")
