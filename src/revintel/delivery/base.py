"""What every channel shares: the outgoing message, retries with exponential backoff, the delivery
log and idempotency.

:func:`deliver` claims the idempotency key in the delivery log *before* sending (a unique row), so
two schedulers, or one restarted mid-run, can never send the same (schedule, slot, channel) twice.
A claim left in ``sending`` by a crash is marked ``interrupted`` and is not re-sent (at most once).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from revintel.appdb import audit
from revintel.appdb.base import AppDB, utcnow
from revintel.appdb.schedules import Delivery
from revintel.config import Settings
from revintel.errors import ConfigError, ProviderError, RevintelError
from revintel.export.document import Document


@dataclass
class Message:
    """One brief ready for any channel: the document plus its rendered attachments."""

    document: Document
    subject: str
    pdf: bytes | None = None
    pdf_name: str = "brief.pdf"


@dataclass
class Target:
    """Where a channel sends: email addresses, a webhook URL, a Slack channel."""

    email_to: list[str] = field(default_factory=list)
    slack_webhook_url: str | None = None
    slack_channel: str | None = None
    teams_webhook_url: str | None = None


class Channel(Protocol):
    name: str

    def describe(self, target: Target) -> str:
        """Where this channel would send, safe to show (URLs redacted)."""
        ...

    def send(self, message: Message, target: Target) -> None:
        """Send once; raise :class:`ProviderError` on any failure."""
        ...


@dataclass
class Outcome:
    channel: str
    outcome: str  # sent | failed | skipped
    attempts: int = 0
    error: str | None = None
    delivery_id: int | None = None

    def to_dict(self) -> dict:
        return {
            "channel": self.channel,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "error": self.error,
            "delivery_id": self.delivery_id,
        }


def redact_url(url: str | None) -> str | None:
    """Keep scheme, host and the first path segment; webhook secrets live in the rest."""
    if not url:
        return url
    from urllib.parse import urlsplit

    u = urlsplit(url)
    first = u.path.strip("/").split("/")[0] if u.path.strip("/") else ""
    return f"{u.scheme}://{u.netloc}/{first}/..." if first else f"{u.scheme}://{u.netloc}/"


def with_retries(
    send: Callable[[], None], retries: int, backoff: float, sleep: Callable[[float], None] = time.sleep
) -> tuple[int, RevintelError | None]:
    """Call ``send`` up to ``retries`` times, sleeping ``backoff * 2**n`` between tries.

    A :class:`ConfigError` (no SMTP host, no recipient) is not retried. Returns (attempts, last
    error or None).
    """
    attempts = 0
    last: RevintelError | None = None
    for n in range(max(1, retries)):
        attempts += 1
        try:
            send()
            return attempts, None
        except ConfigError as exc:
            return attempts, exc
        except ProviderError as exc:
            last = exc
            if n + 1 < max(1, retries):
                sleep(backoff * (2**n))
    return attempts, last


def _claim(db: AppDB, key: str, **fields: object) -> int | None:
    """Insert the delivery row for ``key``; None when it already exists (sent before)."""
    try:
        with db.session() as s:
            row = Delivery(idempotency_key=key, outcome="sending", **fields)
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


def _finish(db: AppDB, delivery_id: int, outcome: str, attempts: int, error: str | None) -> None:
    with db.session() as s:
        row = s.get(Delivery, delivery_id)
        if row is not None:
            row.outcome, row.attempts, row.error, row.finished_at = outcome, attempts, error, utcnow()


def deliver(
    db: AppDB,
    settings: Settings,
    channel: Channel,
    message: Message,
    target: Target,
    *,
    key: str,
    actor: str,
    persona: str | None = None,
    schedule_id: int | None = None,
    slot: dt.datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Send ``message`` once per idempotency ``key``, with retries; log and audit the outcome.

    Never raises for a channel failure: the failure is the returned (and logged) outcome, so the
    caller's other deliveries proceed.
    """
    what = f"{message.document.title} {message.document.as_of or ''}".strip()
    delivery_id = _claim(
        db,
        key,
        schedule_id=schedule_id,
        slot=slot,
        actor=actor,
        persona=persona,
        what=what[:300],
        channel=channel.name,
        target=channel.describe(target),
    )
    if delivery_id is None:
        return Outcome(channel.name, "skipped", error="already delivered (idempotency key exists)")
    attempts, err = with_retries(
        lambda: channel.send(message, target),
        settings.delivery_retries,
        settings.delivery_backoff_seconds,
        sleep,
    )
    outcome = "sent" if err is None else "failed"
    error = None if err is None else str(err)
    _finish(db, delivery_id, outcome, attempts, error)
    audit.audited(
        db,
        actor,
        "delivery",
        target=f"{channel.name}:{what}",
        detail={"key": key, "attempts": attempts, "error": error, "persona": persona},
        outcome="ok" if err is None else "error",
    )
    return Outcome(channel.name, outcome, attempts, error, delivery_id)


def mark_interrupted(db: AppDB, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Mark claims a crashed process left in ``sending`` as ``interrupted`` (never re-sent)."""
    cutoff = utcnow() - older_than
    n = 0
    with db.session() as s:
        for row in s.scalars(
            select(Delivery).where(Delivery.outcome == "sending", Delivery.started_at < cutoff)
        ):
            row.outcome, row.finished_at = "interrupted", utcnow()
            row.error = "process stopped while sending; not re-sent to avoid a duplicate"
            n += 1
    return n


def delivery_log(db: AppDB, limit: int = 200, schedule_id: int | None = None) -> list[dict]:
    """Newest deliveries first: who, what, when, channel, target, outcome, attempts, error."""
    q = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if schedule_id is not None:
        q = q.where(Delivery.schedule_id == schedule_id)
    with db.session() as s:
        return [
            {
                "id": d.id,
                "key": d.idempotency_key,
                "schedule_id": d.schedule_id,
                "slot": d.slot.isoformat() if d.slot else None,
                "actor": d.actor,
                "persona": d.persona,
                "what": d.what,
                "channel": d.channel,
                "target": d.target,
                "outcome": d.outcome,
                "attempts": d.attempts,
                "error": d.error,
                "at": d.started_at.isoformat(),
                "finished_at": d.finished_at.isoformat() if d.finished_at else None,
            }
            for d in s.scalars(q)
        ]


def failure(channel: str, exc: BaseException, hint: str | None = None) -> ProviderError:
    """A :class:`ProviderError` naming the channel and the underlying cause."""
    return ProviderError(
        f"{channel} delivery failed: {type(exc).__name__}: {exc}", hint=hint, details={"channel": channel}
    )
