"""``GET /api/health`` (liveness) and ``GET /api/ready`` (readiness), for load balancers and orchestrators.

Both are public and say no more than a status to anonymous callers; the warehouse, its tables and
the background work in progress are shown only to signed-in users who manage data or read the audit
trail. Liveness never touches the warehouse, so it answers from the first second of a start.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from revintel import __version__
from revintel.config import mask_url
from revintel.http.auth import resolve_user
from revintel.http.deps import RuntimeDep
from revintel.runtime import Runtime
from revintel.scope import MANAGE_DATA, VIEW_AUDIT

router = APIRouter(tags=["health"])


def _operator(request: Request, rt: Runtime) -> bool:
    try:
        user = resolve_user(request, rt)
    except Exception:  # an invalid token on a health probe is simply an anonymous caller
        return False
    return user is not None and (user.scope.allows(MANAGE_DATA) or user.scope.allows(VIEW_AUDIT))


@router.get("/api/health")
async def health(request: Request, rt: RuntimeDep) -> dict[str, Any]:
    """Liveness: ``{"status": "ok"}``; operators also get the version, warehouse and row counts."""
    if not await run_in_threadpool(_operator, request, rt):
        return {"status": "ok"}
    return await run_in_threadpool(_details, rt)


def _details(rt: Runtime) -> dict[str, Any]:
    wh = rt.warehouse
    return {
        "status": "ok",
        "version": __version__,
        "warehouse": mask_url(wh.url),
        "backend": wh.scheme,
        "dataset": wh.get_meta().get("dataset"),
        "tables": wh.row_counts(),
    }


@router.get("/api/ready")
async def ready(request: Request, rt: RuntimeDep) -> JSONResponse:
    """Readiness: 200 when the warehouse and the app database answer, else 503 with ``starting``.

    ``warming`` names the background steps (forecast, deal scores ...) not finished yet, if any:
    the server answers meanwhile and the pages that need them show progress.
    """
    try:
        await run_in_threadpool(_probe, rt)
    except Exception:
        return JSONResponse({"status": "starting"}, status_code=503)
    body: dict[str, Any] = {"status": "ready"}
    warming = rt.precompute.warming() if "precompute" in rt.__dict__ else []
    if warming:  # views still computed in the background (their pages show progress meanwhile)
        body["warming"] = warming
    if await run_in_threadpool(_operator, request, rt):
        pre = getattr(rt, "precompute", None)
        body["precompute"] = pre.status() if pre is not None and hasattr(pre, "status") else None
    return JSONResponse(body)


def _probe(rt: Runtime) -> None:
    rt.warehouse.get_meta()
    with rt.appdb.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
