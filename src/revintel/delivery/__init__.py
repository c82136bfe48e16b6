"""Delivery channels (email, Slack, Teams), retries, the delivery log and idempotency."""

from __future__ import annotations

from revintel.config import Settings
from revintel.delivery.base import Channel, Message, Outcome, Target, deliver, delivery_log
from revintel.errors import InvalidRequest
from revintel.text import nearest

CHANNELS = ("email", "slack", "teams")


def channel(name: str, settings: Settings) -> Channel:
    """The channel called ``name`` (email, slack or teams)."""
    from revintel.delivery.email import EmailChannel
    from revintel.delivery.slack import SlackChannel
    from revintel.delivery.teams import TeamsChannel

    table: dict[str, type[EmailChannel] | type[SlackChannel] | type[TeamsChannel]] = {
        "email": EmailChannel,
        "slack": SlackChannel,
        "teams": TeamsChannel,
    }
    if name not in table:
        raise InvalidRequest(
            f"unknown channel {name!r}", hint=nearest(name, CHANNELS) or "email, slack or teams"
        )
    return table[name](settings)


__all__ = ["CHANNELS", "Channel", "Message", "Outcome", "Target", "channel", "deliver", "delivery_log"]
