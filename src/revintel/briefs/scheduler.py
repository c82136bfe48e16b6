"""The brief scheduler: finds due schedule slots, composes each brief once, delivers it on every
channel, and is safe to stop and restart at any moment.

Safety comes from the delivery log, not from memory: each (schedule, slot, channel) has an
idempotency key claimed before sending, and a schedule's ``last_slot`` advances only after all its
channels were attempted. A restart re-runs the slot; channels already claimed are skipped.

Runs inside ``revintel serve`` (a daemon thread, ``REVINTEL_SCHEDULER_ENABLED``) or stand-alone
(``revintel scheduler [--once]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from revintel.appdb.base import utcnow
from revintel.appdb.schedules import Delivery, Schedule
from revintel.briefs.schedules import due_slot
from revintel.config import reveal
from revintel.delivery import Message, Outcome, Target, channel, deliver
from revintel.delivery.base import mark_interrupted
from revintel.errors import RevintelError
from revintel.export.document import Document
from revintel.scope import ADMIN_USERS, SCHEDULE, Persona, Scope, get_persona

if TYPE_CHECKING:
    from revintel.runtime import Runtime

log = logging.getLogger("revintel.scheduler")
#: ``composer(rt, scope, persona)`` -> the brief for that reader (persona: demo mode only)
Composer = Callable[["Runtime", Scope, "Persona | None"], Document]


def default_composer(rt: Runtime, scope: Scope, persona: Persona | None) -> Document:
    """Compose today's brief (data as-of date) within ``scope``, saving it to past briefs."""
    from revintel.briefs.compose import compose_brief, save_brief

    doc = compose_brief(rt, scope, persona=persona)
    save_brief(rt.appdb, doc, created_by="scheduler", scope=scope)
    return doc


def reader_of(rt: Runtime, s: Schedule) -> tuple[Scope, Persona | None]:
    """The scope a schedule's brief is composed with, read at send time.

    Secure mode: the owner account's *current* scope and domains (the ``persona`` column is
    ignored; a user name that happens to equal a persona id means nothing). Demo mode: the
    schedule's persona, which must be the owner's own persona.

    Raises:
        Forbidden: the owner is disabled, deleted or may no longer schedule briefs.
    """
    from revintel.appdb import users
    from revintel.errors import Forbidden, NotFound

    if not rt.settings.demo_mode:
        try:
            acc = users.get_user(rt.appdb, s.owner)
        except NotFound:
            raise Forbidden(f"the schedule's owner {s.owner!r} no longer exists") from None
        if acc.disabled:
            raise Forbidden(f"the schedule's owner {s.owner!r} is disabled")
        if not acc.scope.allows(SCHEDULE):
            raise Forbidden(f"the schedule's owner {s.owner!r} may no longer schedule briefs")
        return acc.scope, None
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    try:
        persona = get_persona(s.persona, path)
        owner = get_persona(s.owner, path)
    except NotFound as exc:
        raise Forbidden(f"the schedule's persona or owner is unknown: {exc.message}") from None
    if owner.id != persona.id and not owner.scope.allows(ADMIN_USERS):
        raise Forbidden(f"{owner.id} may not receive {persona.id}'s brief")
    if not owner.scope.allows(SCHEDULE):
        raise Forbidden(f"{owner.id} may not schedule briefs")
    return persona.scope, persona


def subject_of(doc: Document) -> str:
    """The email subject: title, reader and date, plus the first headline number."""
    head = f" — {doc.headline[0].label} {doc.headline[0].text}" if doc.headline else ""
    return f"{doc.title} · {doc.subtitle}".strip(" ·") + head


def make_message(doc: Document) -> Message:
    """Render the PDF attachment once; every channel shares the message."""
    from revintel.export.pdf import render_pdf

    day = doc.as_of.isoformat() if doc.as_of else ""
    return Message(
        document=doc,
        subject=subject_of(doc),
        pdf=render_pdf(doc),
        pdf_name=f"brief-{doc.persona or 'all'}-{day}.pdf",
    )


def target_of(s: Schedule) -> Target:
    return Target(
        email_to=list(s.email_to or []),
        slack_webhook_url=reveal(s.slack_webhook_url),
        slack_channel=s.slack_channel,
        teams_webhook_url=reveal(s.teams_webhook_url),
    )


def send_brief(
    rt: Runtime,
    message: Message,
    channels: list[str],
    target: Target,
    *,
    actor: str,
    key_prefix: str,
    persona: str | None = None,
    schedule_id: int | None = None,
    slot: dt.datetime | None = None,
) -> list[Outcome]:
    """Deliver one message on each channel; a failing channel never holds up the others."""
    out = []
    for name in channels:
        ch = channel(name, rt.settings)
        out.append(
            deliver(
                rt.appdb,
                rt.settings,
                ch,
                message,
                target,
                key=f"{key_prefix}:{name}",
                actor=actor,
                persona=persona,
                schedule_id=schedule_id,
                slot=slot,
            )
        )
    return out


@dataclass
class RunReport:
    schedule_id: int
    slot: dt.datetime
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schedule_id": self.schedule_id,
            "slot": self.slot.isoformat(),
            "error": self.error,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


class Scheduler:
    """Runs due schedules. ``run_once(now)`` is the whole algorithm; ``start()`` loops it in a thread."""

    def __init__(self, rt: Runtime, composer: Composer = default_composer, interval_seconds: float = 30.0):
        self.rt = rt
        self.composer = composer
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: dt.datetime | None = None) -> list[RunReport]:
        """Deliver every schedule slot due at ``now`` (naive UTC; default: the clock)."""
        now = now or utcnow()
        mark_interrupted(self.rt.appdb)
        with self.rt.appdb.session() as ses:
            schedules = list(
                ses.scalars(select(Schedule).where(Schedule.enabled.is_(True)).order_by(Schedule.id))
            )
        reports = []
        messages: dict[Any, Message | RevintelError] = {}  # one brief per reader scope per pass
        for s in schedules:
            slot = due_slot(s, now)
            if slot is not None:
                reports.append(self._run(s, slot, messages))
        return reports

    def _message(self, s: Schedule, messages: dict[Any, Message | RevintelError]) -> Message:
        scope, persona = reader_of(self.rt, s)
        key = (scope, persona.id if persona else None)
        if key not in messages:
            try:
                messages[key] = make_message(self.composer(self.rt, scope, persona))
            except RevintelError as exc:
                messages[key] = exc
        got = messages[key]
        if isinstance(got, RevintelError):
            raise got
        return got

    def _run(self, s: Schedule, slot: dt.datetime, messages: dict[Any, Message | RevintelError]) -> RunReport:
        report = RunReport(s.id, slot)
        key = f"schedule:{s.id}:{slot.isoformat()}"
        message: Message | None
        try:
            message = self._message(s, messages)
        except RevintelError as exc:
            report.error = f"could not compose the brief: {exc.message}"
            message = None
        if message is None:
            self._log_failure(s, slot, key, report.error or "")
        else:
            report.outcomes = send_brief(
                self.rt,
                message,
                list(s.channels or []),
                target_of(s),
                actor=s.owner,
                key_prefix=key,
                persona=s.persona,
                schedule_id=s.id,
                slot=slot,
            )
        with self.rt.appdb.session() as ses:
            row = ses.get(Schedule, s.id)
            if row is not None:
                row.last_slot = slot
        return report

    def _log_failure(self, s: Schedule, slot: dt.datetime, key: str, error: str) -> None:
        for name in s.channels or []:
            try:
                with self.rt.appdb.session() as ses:
                    ses.add(
                        Delivery(
                            idempotency_key=f"{key}:{name}",
                            schedule_id=s.id,
                            slot=slot,
                            actor=s.owner,
                            persona=s.persona,
                            what=f"brief for {s.persona}",
                            channel=name,
                            outcome="failed",
                            attempts=0,
                            error=error,
                            finished_at=utcnow(),
                        )
                    )
            except IntegrityError:
                continue

    # --- background thread ------------------------------------------------------------------
    def loop(self) -> None:
        """Run until :meth:`stop`; an unexpected error in one pass is logged and the loop goes on."""
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # process boundary: keep the scheduler alive
                log.exception("scheduler pass failed")
            self._stop.wait(self.interval)

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self.loop, name="revintel-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def run_forever(rt: Runtime, interval_seconds: float = 30.0) -> None:
    """Stand-alone scheduler (``revintel scheduler``): loops until interrupted."""
    Scheduler(rt, interval_seconds=interval_seconds).loop()


def start_in_app(rt: Runtime) -> Scheduler | None:
    """The scheduler thread ``revintel serve`` runs (None when ``REVINTEL_SCHEDULER_ENABLED=false``)."""
    if not rt.settings.scheduler_enabled:
        return None
    return Scheduler(rt).start()
