"""Ask over HTTP: questions (JSON or server-sent events), conversations and feedback.

Routes are thin: the caller's user and scope come from the request, the engine does the rest
(scope applied in the compiler, refusals audit-logged). ``POST /api/ask/stream`` streams the
engine's steps as server-sent events: ``understood`` -> ``query`` -> ``answer`` (or ``error``).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from revintel.api.auth import User
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.appdb import conversations as convdb
from revintel.ask.answer import plain
from revintel.errors import RevintelError
from revintel.scope import Scope
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["ask"])


class AskBody(BaseModel):
    question: str = Field(min_length=1, max_length=500, description="The question, in plain English.")
    conversation_id: str | None = Field(
        None, description="Continue this conversation (follow-ups use its context)."
    )
    provider: str = Field("auto", description="auto, local, openai or genie.")


class RenameBody(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class FeedbackBody(BaseModel):
    turn_id: int
    rating: int = Field(description="+1 (thumbs up) or -1 (thumbs down).")
    comment: str | None = Field(None, max_length=2000)


def _scope(request: Request, user: User) -> Scope:
    """The caller's scope narrowed by the pages' global ``region``/``capability`` filters (never widened)."""
    return GlobalFilters.from_request(request).apply(user.scope)


@router.post("/api/ask")
def ask(body: AskBody, request: Request, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Answer one question: sentence, value, table, chart, definitions, filters, scope, SQL, sources.

    ``?region=`` and ``?capability=`` (the pages' global filters) narrow the caller's scope.
    """
    answer = rt.ask.ask(
        body.question,
        _scope(request, user),
        actor=user.id,
        conversation_id=body.conversation_id,
        provider=body.provider,
    )
    return answer.to_dict()


def _event(name: str, payload: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(plain(payload), default=str)}\n\n"


@router.post("/api/ask/stream")
def ask_stream(body: AskBody, request: Request, rt: RuntimeDep, user: CurrentUser) -> StreamingResponse:
    """The same answer as ``POST /api/ask``, streamed as server-sent events, one per engine step."""
    events: queue.Queue[str | None] = queue.Queue()
    scope = _scope(request, user)

    def work() -> None:
        try:
            rt.ask.ask(
                body.question,
                scope,
                actor=user.id,
                conversation_id=body.conversation_id,
                provider=body.provider,
                on_step=lambda n, p: events.put(_event(n, p)),
            )
        except RevintelError as exc:
            events.put(_event("error", {"status": exc.status, **exc.to_dict()}))
        finally:
            events.put(None)

    threading.Thread(target=work, name="ask-stream", daemon=True).start()

    def stream() -> Iterator[str]:
        while (item := events.get()) is not None:
            yield item

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/ask/conversations")
def list_conversations(rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """The caller's conversations, most recent first."""
    return {"conversations": convdb.list_for(rt.appdb, user.id)}


@router.get("/api/ask/conversations/{conversation_id}")
def get_conversation(conversation_id: str, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """One of the caller's conversations with every question and answer."""
    return convdb.get(rt.appdb, user.id, conversation_id)


@router.patch("/api/ask/conversations/{conversation_id}")
def rename_conversation(
    conversation_id: str, body: RenameBody, rt: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    """Rename one of the caller's conversations."""
    return convdb.rename(rt.appdb, user.id, conversation_id, body.title)


@router.delete("/api/ask/conversations/{conversation_id}")
def delete_conversation(conversation_id: str, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Delete one of the caller's conversations and its answers."""
    convdb.delete(rt.appdb, user.id, conversation_id)
    return {"deleted": conversation_id}


@router.post("/api/ask/feedback")
def feedback(body: FeedbackBody, rt: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """Thumbs up or down on one answer, with an optional comment."""
    return convdb.feedback(rt.appdb, user.id, body.turn_id, body.rating, body.comment)
