"""FastAPI dependencies, as named ``Annotated`` aliases used by every router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from revintel.api.auth import User, require_user
from revintel.appdb.base import AppDB
from revintel.config import Settings
from revintel.runtime import Runtime
from revintel.scope import Scope


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


def get_appdb(request: Request) -> AppDB:
    return request.app.state.runtime.appdb


def current_user(request: Request) -> User:
    return require_user(request, request.app.state.runtime)


def current_scope(user: Annotated[User, Depends(current_user)]) -> Scope:
    return user.scope


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AppDBDep = Annotated[AppDB, Depends(get_appdb)]
CurrentUser = Annotated[User, Depends(current_user)]
CurrentScope = Annotated[Scope, Depends(current_scope)]
