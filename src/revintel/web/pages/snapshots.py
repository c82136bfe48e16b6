"""``/snapshot``: the shell's as-of picker. Remembers the chosen load in a cookie and goes back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.snapshots import COOKIE, info
from revintel.web.pages.login import safe_next

router = APIRouter(include_in_schema=False)


@router.get("/snapshot")
def pick_snapshot(request: Request, user: CurrentUser, rt: RuntimeDep) -> RedirectResponse:
    """``?id=SNAPSHOT&next=/path``: read every page as that load left it; an empty id is live data."""
    sid = (request.query_params.get("id") or "").strip()[:80]
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    live = request.app.state.runtime
    if sid and info(live, sid) is not None:
        secure = not live.settings.demo_mode
        response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", secure=secure, path="/")
    else:  # "Live", or an id that is not kept (any more): live data
        response.delete_cookie(COOKIE, path="/")
    return response
