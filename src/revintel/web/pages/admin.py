"""Admin pages: audit log, data sources and loads, upload for ingest, users and roles (secure mode)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from revintel.appdb import audit, users
from revintel.errors import InvalidRequest, RevintelError
from revintel.http.deps import RuntimeDep, permission
from revintel.scope import ADMIN_USERS, MANAGE_DATA, ROLES, VIEW_AUDIT
from revintel.services.admin import record_admin
from revintel.services.identity import User
from revintel.web import admin_data, uploads
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
Auditor = Annotated[User, Depends(permission(VIEW_AUDIT))]
DataAdmin = Annotated[User, Depends(permission(MANAGE_DATA))]
UserAdmin = Annotated[User, Depends(permission(ADMIN_USERS))]

register(NavItem("Data sources", "/admin/data", section="Admin", permission=MANAGE_DATA, icon="⛁", order=10))
register(NavItem("Upload data", "/admin/upload", section="Admin", permission=MANAGE_DATA, icon="⇪", order=20))
register(NavItem("Audit log", "/admin/audit", section="Admin", permission=VIEW_AUDIT, icon="☰", order=30))
register(
    NavItem(
        "Users", "/admin/users", section="Admin", permission=ADMIN_USERS, icon="☺", order=40, secure_only=True
    )
)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, rt: RuntimeDep, user: Auditor) -> HTMLResponse:
    """The audit log, filterable by actor and action."""
    q = request.query_params
    actor, action = q.get("actor") or None, q.get("action") or None
    events = audit.events(rt.appdb, limit=500, actor=actor, action=action)
    return render(
        request,
        "admin_audit.html",
        {
            "title": "Audit log",
            "events": events,
            "actor": actor or "",
            "action": action or "",
            "show_filters": False,
        },
    )


@router.get("/admin/data", response_class=HTMLResponse)
def data_page(request: Request, rt: RuntimeDep, user: DataAdmin) -> HTMLResponse:
    """Tables, row counts, load history (lineage) and data-quality findings."""
    return render(
        request,
        "admin_data.html",
        {
            "title": "Data sources",
            "info": admin_data.data_overview(rt),
            "show_filters": False,
        },
    )


def _upload_page(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
    base = {"title": "Upload data", "sources": uploads.source_choices(), "show_filters": False}
    return render(request, "admin_upload.html", {**base, **ctx}, status_code=status)


@router.get("/admin/upload", response_class=HTMLResponse)
def upload_form(request: Request, user: DataAdmin) -> HTMLResponse:
    return _upload_page(request)


@router.post("/admin/upload", response_class=HTMLResponse)
async def upload_validate(request: Request, rt: RuntimeDep, user: DataAdmin) -> HTMLResponse:
    """Stage the files and show the validation report; nothing is loaded yet."""
    form = await request.form()
    source = str(form.get("source") or "")
    files = [
        (f.filename or "upload", f.file)
        for f in form.getlist("files")
        if isinstance(f, UploadFile) and f.filename
    ]
    try:
        upload_id, plan = await run_in_threadpool(uploads.stage_audited, rt, user, files, source)
    except RevintelError as exc:
        return _upload_page(request, status=exc.status, error=exc, source=source)
    return _upload_page(request, plan=plan.to_dict(), upload_id=upload_id, source=source)


@router.post("/admin/upload/{upload_id}/load", response_class=HTMLResponse)
async def upload_load(upload_id: str, request: Request, rt: RuntimeDep, user: DataAdmin) -> HTMLResponse:
    """Load a validated upload (validated again, then applied atomically)."""
    form = await request.form()
    source = str(form.get("source") or "")
    try:
        report = await run_in_threadpool(uploads.load, rt, upload_id, source)
    except RevintelError as exc:
        return _upload_page(request, status=exc.status, error=exc, source=source)
    await run_in_threadpool(
        record_admin,
        rt,
        user,
        "ingest_load",
        upload_id,
        source=source,
        tables=report.plan.row_counts,
        replaced_demo=report.replaced_demo,
    )
    return _upload_page(request, report=report.to_dict(), source=source)


def _users_page(request: Request, rt: Any, status: int = 200, **ctx: Any) -> HTMLResponse:
    base = {
        "title": "Users and roles",
        "accounts": users.list_users(rt.appdb),
        "roles": list(ROLES.values()),
        "show_filters": False,
        "secure": not rt.settings.demo_mode,
    }
    return render(request, "admin_users.html", {**base, **ctx}, status_code=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, rt: RuntimeDep, user: UserAdmin) -> HTMLResponse:
    """Accounts with role, scope and state; add, disable, enable, issue tokens."""
    return _users_page(request, rt)


@router.post("/admin/users", response_class=HTMLResponse)
async def users_action(request: Request, rt: RuntimeDep, user: UserAdmin) -> Response:
    """One form action: add, disable, enable or token (the new token is shown once)."""
    form = await request.form()
    op, name = str(form.get("op") or ""), str(form.get("name") or "").strip()
    try:
        if op == "add":
            scope = _parse_scope(str(form.get("scope") or ""))
            acc = await run_in_threadpool(
                users.add_user,
                rt.appdb,
                name,
                str(form.get("role") or ""),
                str(form.get("password") or "") or None,
                scope,
                str(form.get("display_name") or "") or None,
            )
            await run_in_threadpool(record_admin, rt, user, "user_add", acc.name, role=acc.role, scope=scope)
        elif op in ("disable", "enable"):
            await run_in_threadpool(users.set_disabled, rt.appdb, name, op == "disable")
            await run_in_threadpool(record_admin, rt, user, f"user_{op}", name)
        elif op == "token":
            token = await run_in_threadpool(users.create_token, rt.appdb, name)
            await run_in_threadpool(record_admin, rt, user, "token_issue", name, prefix=token[:10])
            return _users_page(request, rt, new_token={"user": name, "token": token})
        else:
            raise InvalidRequest(f"unknown action {op!r}")
    except RevintelError as exc:
        return _users_page(request, rt, status=exc.status, error=exc)
    return RedirectResponse("/admin/users", status_code=303)


def _parse_scope(text: str) -> dict[str, list[str]]:
    """``"region=EMEA, region=UK"`` -> ``{"region": ["EMEA", "UK"]}``."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        dim, sep, value = part.partition("=")
        if not sep or not dim.strip() or not value.strip():
            raise InvalidRequest(f"bad scope {part!r}", hint="write DIMENSION=VALUE, e.g. region=EMEA")
        out.setdefault(dim.strip(), []).append(value.strip())
    return out
