"""FastAPI dependencies, as named ``Annotated`` aliases used by every router."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from revintel.appdb.base import AppDB
from revintel.config import Settings
from revintel.http.auth import User, require_user
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz


def get_runtime(request: Request) -> Runtime:
    """The runtime this request reads from: live, or the snapshot the reader picked (reads only)."""
    from revintel.http.snapshots import runtime_for

    return runtime_for(request, request.app.state.runtime)


def get_settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


def get_appdb(request: Request) -> AppDB:
    return request.app.state.runtime.appdb


def current_user(request: Request) -> User:
    return require_user(request, request.app.state.runtime)


def current_scope(user: Annotated[User, Depends(current_user)]) -> Scope:
    return user.scope


def permission(perm: str) -> Callable[..., User]:
    """A dependency that returns the current user if their role holds ``perm``, else 403.

    Example: ``user: Annotated[User, Depends(permission(VIEW_AUDIT))]``.
    """

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        authz.require(user, perm)
        return user

    return check


def drill_user(user: Annotated[User, Depends(current_user)]) -> User:
    """The current user if they may drill (for routes that must refuse before a streamed body)."""
    authz.drill(user)
    return user


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AppDBDep = Annotated[AppDB, Depends(get_appdb)]
CurrentUser = Annotated[User, Depends(current_user)]
CurrentScope = Annotated[Scope, Depends(current_scope)]
DrillUser = Annotated[User, Depends(drill_user)]
