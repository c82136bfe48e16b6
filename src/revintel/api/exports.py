"""Export API: start an export job (PDF/PPTX of any view), follow its progress, download the file;
or download synchronously. The page filters (region, capability, period) narrow the scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import export_jobs as service
from revintel.services import exports as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["exports"])


class ExportIn(BaseModel):
    view: str = Field(..., description="brief, board, dashboard, kpi, ask, risks, forecast or marketing")
    format: str = Field("pdf", description="pdf or pptx")
    params: dict[str, Any] = Field(default_factory=dict, description="metric, question, by, period, filters")


def _scope_and_params(request: Request, user: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    filters = GlobalFilters.from_request(request)
    scope = filters.apply(user.scope)
    out = dict(params)
    if filters.period and not out.get("period"):
        out["period"] = filters.period
    out["actor"] = user.id
    return scope, out


@router.post("/api/exports", status_code=202)
def start(body: ExportIn, request: Request, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Start an export; poll ``GET /api/exports/{id}`` for progress, then download ``/file``."""
    scope, params = _scope_and_params(request, user, body.params)
    job_id = svc.start_job(rt, user, body.view, body.format, scope, params)
    return {"id": job_id, "status": "running", "poll": f"/api/exports/{job_id}"}


@router.get("/api/exports/{job_id}")
def status(job_id: str, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    return svc.job_status(rt, user, job_id)


@router.get("/api/exports/{job_id}/file")
def download(job_id: str, user: CurrentUser, rt: RuntimeDep) -> FileResponse:
    path, name, ctype = service.job_file(rt, job_id[:64], user.id)
    return FileResponse(path, media_type=ctype, filename=name)


@router.get("/api/export/{view}.{fmt}")
def export_now(view: str, fmt: str, request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
    """Export synchronously: ``/api/export/risks.pdf?region=EMEA`` (query: metric, question, by)."""
    q = request.query_params
    raw = {k: q.get(k) for k in ("metric", "question", "by", "period", "date", "brief_id") if q.get(k)}
    scope, params = _scope_and_params(request, user, raw)
    res = svc.export_now(rt, user, view, fmt, scope, params)
    return Response(
        res.data,
        media_type=res.content_type,
        headers={"Content-Disposition": f'attachment; filename="{res.filename}"'},
    )
