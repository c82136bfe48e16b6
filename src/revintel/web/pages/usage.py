"""Admin > Usage: the usage report as a page, ``GET /api/admin/usage`` as JSON (roles with view_audit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from revintel.http.deps import RuntimeDep, permission
from revintel.scope import VIEW_AUDIT
from revintel.services.identity import User
from revintel.services.usage import MAX_DAYS, usage_report
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter()
Auditor = Annotated[User, Depends(permission(VIEW_AUDIT))]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="Window: the last N days (1-366).")]

register(NavItem("Usage", "/admin/usage", section="Admin", permission=VIEW_AUDIT, icon="▤", order=35))


@router.get("/admin/usage", response_class=HTMLResponse, include_in_schema=False)
def usage_page(request: Request, rt: RuntimeDep, user: Auditor, days: Days = 30) -> HTMLResponse:
    """Active users, questions and their outcomes, slowest requests, most-viewed metrics, exports."""
    report = usage_report(rt, user, days)
    return render(
        request, "admin_usage.html", {"title": "Usage", "r": report, "days": days, "show_filters": False}
    )


@router.get("/api/admin/usage", tags=["admin"], operation_id="usage_report")
def usage_api(rt: RuntimeDep, user: Auditor, days: Days = 30) -> dict[str, Any]:
    """The usage report of the last ``days`` days, from the audit trail."""
    return usage_report(rt, user, days)
