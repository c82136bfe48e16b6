"""Chat integrations: Slack's slash command and Events API, and the chart images their answers link to.

These routes are public (Slack has no revintel session): each request is authenticated by its
signature, and the asker is mapped to a revintel user before anything is answered.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from revintel.chat import charts, slack, teams
from revintel.config import reveal
from revintel.errors import AuthRequired, NotFound
from revintel.http.deps import RuntimeDep

router = APIRouter(tags=["chat"])


def _background(target: Any, *args: Any) -> None:
    threading.Thread(target=target, args=args, name="revintel-chat", daemon=True).start()


async def _verified(request: Request, rt: Any) -> bytes:
    body = await request.body()
    slack.verify(
        reveal(rt.settings.slack_signing_secret), {k.lower(): v for k, v in request.headers.items()}, body
    )
    return body


@router.post("/integrations/slack/command", operation_id="slack_command")
async def slack_command(request: Request, rt: RuntimeDep) -> JSONResponse:
    """A `/revintel <question>` slash command: acknowledged now, answered privately in the background."""
    form = {k: v[0] for k, v in parse_qs((await _verified(request, rt)).decode()).items()}
    question, user, url = form.get("text", ""), form.get("user_id", ""), form.get("response_url", "")
    _background(slack.reply_to_command, rt, user, question, url)
    return JSONResponse({"response_type": "ephemeral", "text": f"Looking into: {question}"[:300]})


@router.post("/integrations/slack/events", operation_id="slack_events")
async def slack_events(request: Request, rt: RuntimeDep) -> JSONResponse:
    """Events API: answers the URL check; answers mentions and direct messages by DM."""
    try:
        body: dict[str, Any] = json.loads(await _verified(request, rt))
    except ValueError:
        raise AuthRequired("not a Slack event") from None
    if body.get("type") == "url_verification":
        return JSONResponse({"challenge": body.get("challenge")})
    event = body.get("event") or {}
    if request.headers.get("x-slack-retry-num"):
        return JSONResponse({"ok": True})  # Slack retries when it did not hear back: answer once
    kind = event.get("type")
    if event.get("bot_id") or event.get("subtype"):
        return JSONResponse({"ok": True})  # never answer bots (including ourselves)
    if kind == "app_mention" or (kind == "message" and event.get("channel_type") == "im"):
        _background(slack.reply_to_event, rt, event)
    return JSONResponse({"ok": True})


@router.post("/integrations/teams/messages", operation_id="teams_messages")
async def teams_messages(request: Request, rt: RuntimeDep) -> Response:
    """Bot Framework activities from Teams: verified, acknowledged, answered in the background."""
    try:
        activity: dict[str, Any] = json.loads(await request.body())
    except ValueError:
        raise AuthRequired("not a Bot Framework activity") from None
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(teams.verify, rt.settings, request.headers.get("authorization", ""), activity)
    if activity.get("type") == "message":
        _background(teams.reply, rt, activity)
    return Response(status_code=202)


@router.get("/integrations/charts/{chart_id}.png", operation_id="chat_chart_image", include_in_schema=False)
def chart_image(chart_id: str, rt: RuntimeDep) -> Response:
    """A chart image linked from a chat answer (unguessable id, kept for a day)."""
    png = charts.load(rt.settings.home, chart_id)
    if png is None:
        raise NotFound("this chart has expired")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
