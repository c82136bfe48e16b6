"""Admin API: the audit log, data sources and loads, staged uploads for ingest, users and tokens.

Each route needs a permission (``VIEW_AUDIT``, ``MANAGE_DATA``, ``ADMIN_USERS``) and every
change is written to the audit log. User management applies to secure mode's local accounts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from revintel.appdb import audit, users
from revintel.http.deps import CurrentUser, RuntimeDep, permission
from revintel.scope import ADMIN_USERS, MANAGE_DATA, VIEW_AUDIT
from revintel.services.admin import record_admin
from revintel.services.identity import User
from revintel.web import admin_data, uploads

router = APIRouter(prefix="/api", tags=["admin"])
Auditor = Annotated[User, Depends(permission(VIEW_AUDIT))]
DataAdmin = Annotated[User, Depends(permission(MANAGE_DATA))]
UserAdmin = Annotated[User, Depends(permission(ADMIN_USERS))]


@router.get("/me")
def me(user: CurrentUser) -> dict[str, Any]:
    """The signed-in user, role, scope and permissions."""
    return {**user.to_dict(), "permissions": sorted(user.scope.permissions)}


@router.get("/admin/audit")
def audit_log(
    rt: RuntimeDep, user: Auditor, actor: str | None = None, action: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """Audit events, newest first (who, when, what, scope, SQL, rows)."""
    return {"events": audit.events(rt.appdb, limit=max(1, min(limit, 2000)), actor=actor, action=action)}


@router.get("/admin/data")
def data(rt: RuntimeDep, user: DataAdmin) -> dict[str, Any]:
    """Tables and row counts, load lineage, data-quality findings."""
    return admin_data.data_overview(rt)


@router.post("/admin/uploads")
async def upload(
    rt: RuntimeDep,
    user: DataAdmin,
    source: Annotated[str, Form()],
    files: Annotated[list[UploadFile], File()],
) -> dict[str, Any]:
    """Stage files and validate them (nothing is loaded): ``{upload_id, plan}`` or 422 with problems."""
    staged = [(f.filename or "upload", f.file) for f in files]
    # a rejected upload is deleted at once; one never loaded expires (upload_ttl_minutes)
    upload_id, plan = await run_in_threadpool(uploads.stage_audited, rt, user, staged, source)
    return {"upload_id": upload_id, "plan": plan.to_dict()}


class LoadRequest(BaseModel):
    source: str = Field(description="Ingest source the staged files were validated as.")


@router.post("/admin/uploads/{upload_id}/load")
def load_upload(upload_id: str, body: LoadRequest, rt: RuntimeDep, user: DataAdmin) -> dict[str, Any]:
    """Load a staged, validated upload into the warehouse (atomic)."""
    report = uploads.load(rt, upload_id, body.source)
    record_admin(
        rt,
        user,
        "ingest_load",
        upload_id,
        source=body.source,
        tables=report.plan.row_counts,
        replaced_demo=report.replaced_demo,
    )
    return report.to_dict()


class NewUser(BaseModel):
    name: str
    role: str
    password: str | None = Field(None, description="At least 8 characters; omit for a token-only account.")
    scope: dict[str, list[str]] = Field(default_factory=dict)
    display_name: str | None = None


@router.get("/admin/users")
def list_users(rt: RuntimeDep, user: UserAdmin) -> dict[str, Any]:
    """Local accounts with role, scope and state (never hashes)."""
    return {"users": [a.to_dict() for a in users.list_users(rt.appdb)]}


@router.post("/admin/users", status_code=201)
def add_user(body: NewUser, rt: RuntimeDep, user: UserAdmin) -> dict[str, Any]:
    """Create a local account."""
    acc = users.add_user(rt.appdb, body.name, body.role, body.password, body.scope, body.display_name)
    record_admin(rt, user, "user_add", acc.name, role=acc.role, scope=body.scope)
    return acc.to_dict()


@router.post("/admin/users/{name}/disable")
def disable_user(name: str, rt: RuntimeDep, user: UserAdmin) -> dict[str, Any]:
    """Disable an account (ends its sessions, revokes its tokens)."""
    acc = users.set_disabled(rt.appdb, name, True)
    record_admin(rt, user, "user_disable", name)
    return acc.to_dict()


@router.post("/admin/users/{name}/enable")
def enable_user(name: str, rt: RuntimeDep, user: UserAdmin) -> dict[str, Any]:
    """Re-enable (and unlock) an account."""
    acc = users.set_disabled(rt.appdb, name, False)
    record_admin(rt, user, "user_enable", name)
    return acc.to_dict()


@router.post("/admin/users/{name}/token")
def issue_token(name: str, rt: RuntimeDep, user: UserAdmin) -> dict[str, Any]:
    """Issue an API token for ``name`` (returned once)."""
    token = users.create_token(rt.appdb, name)
    record_admin(rt, user, "token_issue", name, prefix=token[:10])
    return {"user": name, "token": token}
