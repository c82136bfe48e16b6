"""Ask over HTTP: questions (JSON or server-sent events), conversations and feedback.

Routes are thin: the caller's user and scope come from the request, the engine does the rest
(scope applied in the compiler, refusals audit-logged). ``POST /api/ask/stream`` streams the
engine's steps as server-sent events: ``understood`` -> ``query`` -> ``answer`` (or ``error``).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from revintel.appdb import conversations as convdb
from revintel.ask.answer import plain
from revintel.errors import RevintelError
from revintel.http.auth import User
from revintel.http.deps import CurrentUser, DrillUser, RuntimeDep
from revintel.observability import request_id
from revintel.scope import Scope
from revintel.services import metrics as svc
from revintel.web.filters import GlobalFilters

router = APIRouter(tags=["ask"])
log = logging.getLogger("revintel.ask")


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
    answer = svc.ask(
        rt,
        user,
        _scope(request, user),
        body.question,
        conversation_id=body.conversation_id,
        provider=body.provider,
    )
    return answer.to_dict()


class _ClientGone(Exception):
    """Raised inside the engine's step callback when the client has disconnected."""


@router.post("/api/ask/stream", response_class=EventSourceResponse, operation_id="ask_stream")
async def ask_stream(
    body: AskBody, request: Request, rt: RuntimeDep, user: DrillUser
) -> AsyncIterator[ServerSentEvent]:
    """The same answer as ``POST /api/ask``, streamed as server-sent events, one per engine step.

    Every failure ends the stream with an ``error`` event (an unexpected one is logged with its
    traceback and reported without internals); when the client disconnects, the engine stops at
    its next step.
    """
    scope = _scope(request, user)
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[ServerSentEvent | None] = asyncio.Queue()
    gone = threading.Event()

    def emit(name: str, payload: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(events.put_nowait, _sse(name, payload))

    def on_step(name: str, payload: dict[str, Any]) -> None:
        if gone.is_set():
            raise _ClientGone
        emit(name, payload)

    def work() -> None:
        try:
            svc.ask(
                rt,
                user,
                scope,
                body.question,
                conversation_id=body.conversation_id,
                provider=body.provider,
                on_step=on_step,
            )
        except _ClientGone:
            log.info("ask stream stopped: the client disconnected")
        except RevintelError as exc:
            emit("error", {"status": exc.status, **exc.to_dict()})
        except Exception:  # a worker thread is a process boundary: log it, tell the client in words
            log.exception("ask stream failed")
            emit(
                "error",
                {"status": 500, "code": "internal", "message": INTERNAL_MESSAGE, "request_id": request_id()},
            )
        finally:
            loop.call_soon_threadsafe(events.put_nowait, None)

    # the request's context (id, user, trace span) goes with the work into the thread
    worker = loop.run_in_executor(None, contextvars.copy_context().run, work)
    try:
        while True:
            try:
                item = await asyncio.wait_for(events.get(), timeout=0.5)
            except TimeoutError:
                if await request.is_disconnected():
                    gone.set()
                    break
                continue
            if item is None:
                break
            yield item
    finally:
        gone.set()  # also when the server cancels this generator because the client left
        await asyncio.shield(worker)


INTERNAL_MESSAGE = "the answer could not be computed because of an internal error; it has been logged"


def _sse(name: str, payload: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(event=name, raw_data=json.dumps(plain(payload), default=str))


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
