"""Readers for the formats calls and emails are exported in, into :class:`RawCall` values.

Each reader takes a file (and a :class:`~revintel.warehouse.ingest.readers.Problems` collector)
and returns the calls it holds; a problem names the file, the line (or WebVTT cue) and what was
expected. Nothing here touches the warehouse: linking and roles are decided by
:mod:`revintel.conversations.ingest`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Party:
    """A participant: name, email and which side they are on (``internal``/``external``) if known."""

    name: str | None = None
    email: str | None = None
    affiliation: str | None = None
    speaker_id: str | None = None

    @property
    def label(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or ""


@dataclass
class RawTurn:
    """What one speaker said, with offsets in seconds when the source gives them."""

    speaker: str | None
    text: str
    start: float | None = None
    end: float | None = None
    party: Party | None = None


@dataclass
class RawCall:
    """A conversation as read from a file, before linking to accounts and deals."""

    call_id: str
    file: str
    kind: str  # gong | vtt | email | canonical
    channel: str  # call | meeting | email
    occurred_at: dt.datetime | None
    title: str | None = None
    duration: int | None = None
    parties: list[Party] = field(default_factory=list)
    turns: list[RawTurn] = field(default_factory=list)
    account_id: str | None = None
    opportunity_id: str | None = None
    rep_id: str | None = None
    account_name: str | None = None
    transcript: str | None = None

    def text(self) -> str:
        """The transcript as ``Speaker: text`` lines."""
        if self.transcript is not None:
            return self.transcript
        return "\n".join(f"{t.speaker}: {t.text}" if t.speaker else t.text for t in self.turns)


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 timestamp (any offset) as naive UTC, or ``None`` when it does not parse."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t
