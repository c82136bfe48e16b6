"""Conversations over HTTP: search, trackers, call statistics, competitive intel, one conversation,
and the deal copilot. Thin: :mod:`revintel.services.calls` authorises, runs and audits; the scope
is the caller's, narrowed by the global filters (``?region=``), never widened."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import calls as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["calls"])

Since = Annotated[dt.date | None, Query(description="Only conversations on or after this day.")]


def _scope(request: Request, user: Any) -> Any:
    return GlobalFilters.from_request(request).apply(svc.calls_scope(user))


@router.get("/api/calls/search")
def search(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words or a phrase.")],
    account: str | None = None,
    deal: str | None = None,
    since: Since = None,
    speaker: Annotated[str | None, Query(pattern="^(rep|customer)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Ranked snippets with conversation, offset, speaker, account, deal and a link to the moment."""
    return svc.audited_search(
        rt,
        user,
        _scope(request, user),
        q,
        account=account,
        deal=deal,
        since=since,
        speaker=speaker,
        limit=limit,
        target="api/calls/search",
    )


@router.get("/api/calls/trackers")
def trackers(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    by: Annotated[str | None, Query(pattern="^conversation$")] = None,
    account: str | None = None,
    deal: str | None = None,
    since: Since = None,
) -> dict[str, Any]:
    """Tracker counts, or per conversation with ``?by=conversation``."""
    return svc.audited_trackers(
        rt,
        user,
        _scope(request, user),
        by=by,
        account=account,
        deal=deal,
        since=since,
        target="api/calls/trackers",
    )


@router.get("/api/calls/stats")
def stats(
    request: Request,
    rt: RuntimeDep,
    user: CurrentUser,
    account: str | None = None,
    deal: str | None = None,
    since: Since = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Talk ratio, monologue, questions, interactivity, sentiment and next steps per call."""
    return svc.audited_stats(
        rt,
        user,
        _scope(request, user),
        account=account,
        deal=deal,
        since=since,
        limit=limit,
        target="api/calls/stats",
    )


@router.get("/api/calls/competitors")
def competitors(request: Request, rt: RuntimeDep, user: CurrentUser, since: Since = None) -> dict[str, Any]:
    """Competitor heatmap, surges, win rates with CIs, objections by stage, price points, feature gaps."""
    return svc.audited_competitors(
        rt, user, _scope(request, user), since=since, target="api/calls/competitors"
    )


class CopilotRequest(BaseModel):
    question: str = Field(min_length=1, max_length=1000)
    deal: str | None = None
    account: str | None = None
    last: int | None = Field(None, ge=1, le=50)
    tone: str | None = Field(None, pattern="^(executive|friendly|concise)$")
    llm: bool = False


@router.post("/api/calls/copilot")
def copilot(body: CopilotRequest, request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """A deal-copilot answer with citations (or an abstention)."""
    return svc.audited_copilot(
        rt,
        user,
        _scope(request, user),
        body.question,
        deal=body.deal,
        account=body.account,
        n=body.last,
        tone=body.tone,
        use_llm=body.llm,
        target="api/calls/copilot",
    )


@router.get("/api/calls/{conversation_id}")
def conversation(conversation_id: str, request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """One conversation: turns, tracker hits and statistics (404 outside the caller's scope)."""
    return svc.audited_conversation(rt, user, _scope(request, user), conversation_id)
