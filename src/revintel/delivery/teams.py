"""Microsoft Teams: an Adaptive Card posted to an incoming webhook."""

from __future__ import annotations

from typing import Any

from revintel.config import Settings, reveal
from revintel.delivery.base import Message, Target, redact_url
from revintel.delivery.http import post_json
from revintel.errors import ConfigError
from revintel.export.document import Document

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def adaptive_card(doc: Document) -> dict[str, Any]:
    """An Adaptive Card 1.4: title, scope, a FactSet of headline numbers, one block per section."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": doc.title, "size": "Large", "weight": "Bolder", "wrap": True},
        {
            "type": "TextBlock",
            "text": f"{doc.subtitle} · scope: {doc.scope}",
            "isSubtle": True,
            "spacing": "None",
            "wrap": True,
        },
    ]
    if doc.headline:
        body.append({"type": "FactSet", "facts": [{"title": f.label, "value": f.text} for f in doc.headline]})
    for s in doc.sections:
        body.append(
            {"type": "TextBlock", "text": s.title, "weight": "Bolder", "separator": True, "wrap": True}
        )
        lines = [f"- {it.text}" for it in s.items[:4]] or [s.note or "Nothing to report."]
        body.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if doc.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the brief", "url": doc.link}]
    return card


def teams_payload(doc: Document) -> dict[str, Any]:
    """The incoming-webhook body: a message with one Adaptive Card attachment."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": adaptive_card(doc)}],
    }


class TeamsChannel:
    name = "teams"

    def __init__(self, settings: Settings):
        self.settings = settings

    def _url(self, target: Target) -> str | None:
        return target.teams_webhook_url or reveal(self.settings.teams_webhook_url)

    def describe(self, target: Target) -> str:
        return f"webhook {redact_url(self._url(target))}"

    def send(self, message: Message, target: Target) -> None:
        url = self._url(target)
        if not url:
            raise ConfigError(
                "Teams delivery needs an incoming webhook URL",
                hint="set REVINTEL_TEAMS_WEBHOOK_URL or the schedule's Teams webhook",
            )
        post_json("teams", url, teams_payload(message.document), self.settings.smtp_timeout_seconds)
