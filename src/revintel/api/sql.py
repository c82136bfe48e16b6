"""``POST /api/sql``: governed SQL for analysts, through the one SQL guard, in the caller's scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import metrics as svc

router = APIRouter(tags=["sql"])


class SqlBody(BaseModel):
    sql: str = Field(
        min_length=1, max_length=20_000, description="One read-only SELECT over the governed views."
    )
    limit: int | None = Field(
        None, ge=1, le=1_000_000, description="Return at most this many rows (capped by the server)."
    )


@router.post("/api/sql")
def run_sql(body: SqlBody, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Check, scope, limit and run one SELECT; refusals are 400 ``unsafe_sql`` with the reason."""
    return svc.governed_sql(rt, user, user.scope, body.sql, body.limit)
