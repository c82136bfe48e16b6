"""Slack: Block Kit message with the headline numbers and a link; incoming webhook or bot token."""

from __future__ import annotations

from typing import Any

from revintel.config import Settings, reveal
from revintel.delivery.base import Message, Target, redact_url
from revintel.delivery.http import post_json
from revintel.errors import ConfigError, ProviderError
from revintel.export.document import Document

MAX_TEXT = 2900  # Block Kit section text limit is 3000 characters


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text[:MAX_TEXT]}


def slack_blocks(doc: Document) -> list[dict[str, Any]]:
    """Block Kit blocks: header, headline number fields, one section per brief section, link button."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": doc.title[:150], "emoji": False}},
        {"type": "context", "elements": [_mrkdwn(f"{doc.subtitle} · scope: {doc.scope}")]},
    ]
    if doc.headline:
        blocks.append(
            {"type": "section", "fields": [_mrkdwn(f"*{f.label}*\n{f.text}") for f in doc.headline[:10]]}
        )
    blocks.append({"type": "divider"})
    for s in doc.sections:
        lines = [f"• {it.text}" for it in s.items[:4]] or [f"_{s.note or 'Nothing to report.'}_"]
        blocks.append({"type": "section", "text": _mrkdwn(f"*{s.title}*\n" + "\n".join(lines))})
        if len(blocks) >= 46:
            break
    if doc.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the brief"},
                        "url": doc.link,
                        "action_id": "open_brief",
                    }
                ],
            }
        )
    return blocks


def slack_payload(doc: Document, channel: str | None = None) -> dict[str, Any]:
    """The chat.postMessage / webhook body: fallback ``text`` plus ``blocks``."""
    head = "  ".join(f"{f.label}: {f.text}" for f in doc.headline[:4])
    payload: dict[str, Any] = {"text": f"{doc.title} — {head}".strip(" —"), "blocks": slack_blocks(doc)}
    if channel:
        payload["channel"] = channel
    return payload


class SlackChannel:
    """Incoming webhook (schedule's URL, else ``REVINTEL_SLACK_WEBHOOK_URL``) or bot token."""

    name = "slack"

    def __init__(self, settings: Settings):
        self.settings = settings

    def _webhook(self, target: Target) -> str | None:
        return target.slack_webhook_url or reveal(self.settings.slack_webhook_url)

    def describe(self, target: Target) -> str:
        hook = self._webhook(target)
        if hook:
            return f"webhook {redact_url(hook)}"
        return f"chat.postMessage #{target.slack_channel or self.settings.slack_channel}"

    def send(self, message: Message, target: Target) -> None:
        s = self.settings
        timeout = s.smtp_timeout_seconds
        hook = self._webhook(target)
        if hook:
            post_json("slack", hook, slack_payload(message.document), timeout)
            return
        channel = target.slack_channel or s.slack_channel
        if not (s.slack_bot_token and channel):
            raise ConfigError(
                "Slack delivery needs a webhook URL, or a bot token and a channel",
                hint="set REVINTEL_SLACK_WEBHOOK_URL or REVINTEL_SLACK_BOT_TOKEN + _CHANNEL",
            )
        resp = post_json(
            "slack",
            f"{s.slack_api_url.rstrip('/')}/chat.postMessage",
            slack_payload(message.document, channel),
            timeout,
            headers={"Authorization": f"Bearer {reveal(s.slack_bot_token)}"},
        )
        try:
            body = resp.json()
        except ValueError as exc:
            raise ProviderError("Slack answered with something other than JSON") from exc
        if not body.get("ok"):
            raise ProviderError(
                f"slack delivery failed: {body.get('error', 'unknown error')}", details={"channel": "slack"}
            )
