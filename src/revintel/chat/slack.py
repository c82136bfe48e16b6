"""Slack: verify the request signature, map the user, answer through Ask, reply privately.

- Slash command (``POST /integrations/slack/command``, form-encoded): acknowledged at once (Slack allows
  3 s), answered in the background to the command's ``response_url`` as an ephemeral message.
- Events API (``POST /integrations/slack/events``, JSON): ``url_verification`` is answered; an
  ``app_mention`` or a direct message is answered by ``chat.postMessage`` to the asker's DM.
Signatures: ``v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{body}")``, timestamp within 5 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from typing import Any

import httpx

from revintel.chat import charts
from revintel.chat.ask import ask_from_chat
from revintel.config import reveal
from revintel.errors import AuthRequired
from revintel.runtime import Runtime

log = logging.getLogger("revintel.chat.slack")
MAX_SKEW_SECONDS = 300
_MENTION = re.compile(r"<@[A-Z0-9]+>")


def verify(
    signing_secret: str | None, headers: dict[str, str], body: bytes, now: float | None = None
) -> None:
    """Check Slack's request signature and timestamp.

    Raises:
        AuthRequired: no secret configured, a missing/old timestamp or a signature that does not match.
    """
    if not signing_secret:
        raise AuthRequired("Slack is not configured", hint="set REVINTEL_SLACK_SIGNING_SECRET")
    ts = headers.get("x-slack-request-timestamp", "")
    sig = headers.get("x-slack-signature", "")
    if not ts.isdigit() or abs((now or time.time()) - int(ts)) > MAX_SKEW_SECONDS:
        raise AuthRequired("stale or missing Slack request timestamp")
    base = b"v0:" + ts.encode() + b":" + body
    want = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):
        raise AuthRequired("the Slack request signature does not match")


def answer_blocks(rt: Runtime, question: str, answer: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit message: the sentence, how it was read, the chart image and a link to the evidence."""
    base = (rt.settings.public_url or "").rstrip("/")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{question}*\n{answer.get('answer', '')}"}},
    ]
    reading = answer.get("reading")
    if reading:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Read as: {reading}"}]})
    try:
        png = charts.render_png(answer)
    except Exception:  # a chart is a nicety: the answer goes out without it
        log.warning("could not draw the chart of a chat answer", exc_info=True)
        png = None
    if png and base:
        chart_id = charts.store(rt.settings.home, png)
        blocks.append(
            {
                "type": "image",
                "image_url": f"{base}/integrations/charts/{chart_id}.png",
                "alt_text": "chart of the answer",
            }
        )
    if base:
        link = str(httpx.URL(f"{base}/ask", params={"q": question}))
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"<{link}|Evidence: the SQL, definitions and sources in revintel>",
                    }
                ],
            }
        )
    return {"text": str(answer.get("answer", "")), "blocks": blocks}


def ask(rt: Runtime, slack_user: str, question: str) -> dict[str, Any]:
    """The reply for ``question`` from ``slack_user`` (a refusal in words when they are not mapped)."""
    question = _MENTION.sub("", question).strip()
    reply = ask_from_chat(rt, "slack", slack_user, question, "`/revintel What were net fees this year?`")
    return answer_blocks(rt, question, reply.answer) if reply.answer else {"text": reply.text}


def reply_to_command(rt: Runtime, slack_user: str, question: str, response_url: str) -> None:
    """Background work of a slash command: answer, then post it to ``response_url`` (ephemeral)."""
    payload = {"response_type": "ephemeral", "replace_original": False, **ask(rt, slack_user, question)}
    _post(response_url, payload, headers=None)


def reply_to_event(rt: Runtime, event: dict[str, Any]) -> None:
    """Background work of an app mention or DM: answer in a direct message to the asker."""
    s = rt.settings
    payload = {"channel": event.get("user"), **ask(rt, str(event.get("user")), str(event.get("text") or ""))}
    if not s.slack_bot_token:
        log.warning("Slack event not answered: REVINTEL_SLACK_BOT_TOKEN is not set")
        return
    _post(
        f"{s.slack_api_url.rstrip('/')}/chat.postMessage",
        payload,
        headers={"Authorization": f"Bearer {reveal(s.slack_bot_token)}"},
    )


def _post(url: str, payload: dict[str, Any], headers: dict[str, str] | None) -> None:
    try:
        r = httpx.post(url, json=payload, headers=headers, timeout=15)
        if r.status_code >= 300:
            log.warning("Slack answered HTTP %s to a reply", r.status_code)
    except httpx.HTTPError:
        log.warning("could not post the reply to Slack", exc_info=True)
