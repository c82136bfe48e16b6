"""``GET /api/ask/guide``: the question guide for the caller, as Markdown or PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import authz
from revintel.services.guide import audited_guide
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["ask"])


@router.get("/api/ask/guide", operation_id="ask_guide")
def ask_guide(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    fmt: Annotated[str, Query(alias="format", description="md (Markdown) or pdf.")] = "md",
) -> Response:
    """How to ask for each metric of the caller's domains: words, examples, what the answer shows, SQL."""
    scope = GlobalFilters.from_request(request).apply(authz.drill(user))
    content, media, name = audited_guide(rt, user, fmt, scope)
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
