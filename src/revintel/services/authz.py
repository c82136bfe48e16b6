"""Authorisation: every permission and metric-domain check, in one place.

Services call these before doing any work; routes and pages never check permissions themselves
(they may *also* hide a link, but the service is what refuses). Each check raises
:class:`~revintel.errors.Forbidden` (403) naming the permission or domain that is missing.

A new service declares what it needs with one call at its top::

    def audited_widgets(rt, user, ...):
        scope = authz.drill(user, "pipeline")      # DRILL + the pipeline domain
        authz.require(user, authz.SCHEDULE)        # or any other permission
"""

from __future__ import annotations

from collections.abc import Iterable

from revintel.errors import Forbidden
from revintel.scope import (
    ADMIN_USERS,
    ANALYTICS,
    DRILL,
    EXPORT,
    MANAGE_DATA,
    SCHEDULE,
    VIEW_AUDIT,
    Scope,
)
from revintel.services.identity import User

__all__ = [
    "ADMIN_USERS",
    "ANALYTICS",
    "DRILL",
    "EXPORT",
    "MANAGE_DATA",
    "SCHEDULE",
    "VIEW_AUDIT",
    "domains",
    "drill",
    "is_admin",
    "require",
]

_WHAT = {
    ADMIN_USERS: "managing users",
    ANALYTICS: "firm-wide model statistics and retraining",
    DRILL: "detail beyond the headline summary",
    EXPORT: "exports",
    MANAGE_DATA: "managing data",
    SCHEDULE: "scheduling or sending briefs",
    VIEW_AUDIT: "the audit and delivery logs",
}


def require(user: User, permission: str) -> Scope:
    """The caller's scope if their role holds ``permission``.

    Raises:
        Forbidden: the role lacks it (``details.permission`` names it).
    """
    if not user.scope.allows(permission):
        raise Forbidden(
            f"your role ({user.role}) does not allow this: {_WHAT.get(permission, permission)}",
            hint=f"needs the {permission!r} permission",
            details={"permission": permission},
        )
    return user.scope


def domains(user: User, needed: Iterable[str], what: str = "this data") -> Scope:
    """The caller's scope if it covers every metric domain in ``needed``.

    Raises:
        Forbidden: a domain is outside the role's domains (``details.domain`` names the first).
    """
    scope = user.scope
    for domain in sorted(set(needed)):
        if domain not in scope.domains:
            raise Forbidden(
                f"your role ({user.role}) cannot see {domain} data",
                hint=f"{what} needs the {domain!r} domain; yours: {', '.join(sorted(scope.domains))}",
                details={"domain": domain},
            )
    return scope


def drill(user: User, *needed_domains: str) -> Scope:
    """DRILL plus the given domains: the check for any detail beyond the headline summary."""
    require(user, DRILL)
    return domains(user, needed_domains)


def is_admin(user: User) -> bool:
    """Whether the caller administers users (sees and edits every schedule)."""
    return user.scope.allows(ADMIN_USERS)
