"""``GET /api/health``: liveness plus what the warehouse holds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from revintel import __version__
from revintel.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(rt: RuntimeDep) -> dict[str, Any]:
    """Liveness: the warehouse URL and backend, and the row count of every canonical table."""
    wh = rt.warehouse
    return {
        "status": "ok",
        "version": __version__,
        "warehouse": wh.url,
        "backend": wh.scheme,
        "dataset": wh.get_meta().get("dataset"),
        "tables": wh.row_counts(),
    }
