"""Brief schedules: validation (cron, IANA time zone, channels, addresses), CRUD and due slots.

A schedule belongs to its owner and composes the brief with one persona's scope. Cron is the
standard five fields (``0 7 * * 1-5`` = 07:00 on weekdays), read in the schedule's time zone, so
"07:00 Europe/Berlin" stays 07:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from croniter import CroniterBadCronError, croniter
from sqlalchemy import select

from revintel.appdb import audit
from revintel.appdb.base import AppDB, utcnow
from revintel.appdb.schedules import Schedule
from revintel.config import reveal
from revintel.delivery import CHANNELS
from revintel.errors import Forbidden, NotFound, Problem, ValidationFailed
from revintel.scope import ADMIN_USERS, SCHEDULE, Scope
from revintel.text import nearest

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$|^[^@\s,;]+@localhost$")
_URL = re.compile(r"^https?://[^\s]+$")


def cron_problem(expr: str) -> Problem | None:
    """Why ``expr`` is not a valid five-field cron expression, or None."""
    fields = (expr or "").split()
    if len(fields) != 5:
        return Problem(
            f"a cron expression has 5 fields, this one has {len(fields)}",
            column="cron",
            value=expr,
            expected="minute hour day-of-month month day-of-week, e.g. '0 7 * * 1-5'",
        )
    try:
        croniter(expr)
    except (CroniterBadCronError, ValueError, KeyError) as exc:
        return Problem(
            f"invalid cron expression: {exc}",
            column="cron",
            value=expr,
            expected="e.g. '0 7 * * 1-5' (07:00 on weekdays) or '30 6 * * 1' (Mondays 06:30)",
        )
    return None


def timezone_problem(tz: str) -> Problem | None:
    """Why ``tz`` is not an IANA time zone name, or None."""
    try:
        if not tz or tz != tz.strip():
            raise zoneinfo.ZoneInfoNotFoundError(tz)
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = (
            nearest(tz or "", zoneinfo.available_timezones()) or "e.g. 'Europe/London' or 'America/New_York'"
        )
        return Problem(
            f"unknown time zone; {hint}", column="timezone", value=tz, expected="an IANA time zone name"
        )
    return None


@dataclass
class ScheduleSpec:
    """What a user submits to create or edit a schedule."""

    name: str
    persona: str
    cron: str
    timezone: str = "UTC"
    channels: list[str] = field(default_factory=lambda: ["email"])
    email_to: list[str] = field(default_factory=list)
    slack_webhook_url: str | None = None
    slack_channel: str | None = None
    teams_webhook_url: str | None = None
    enabled: bool = True

    def problems(self, require_https: bool = False) -> list[Problem]:
        """Every problem at once. ``require_https``: webhook URLs must be https (secure mode)."""
        out = [p for p in (cron_problem(self.cron), timezone_problem(self.timezone)) if p]
        if not self.name.strip():
            out.append(Problem("a schedule needs a name", column="name", value=self.name))
        if not self.channels:
            out.append(Problem("pick at least one channel", column="channels", expected=", ".join(CHANNELS)))
        out += [
            Problem("unknown channel", column="channels", value=c, expected=", ".join(CHANNELS))
            for c in self.channels
            if c not in CHANNELS
        ]
        out += [
            Problem("not an email address", column="email_to", value=a, expected="name@example.com")
            for a in self.email_to
            if not _EMAIL.match(a)
        ]
        if "email" in self.channels and not self.email_to:
            out.append(Problem("email channel needs at least one recipient", column="email_to"))
        for col in ("slack_webhook_url", "teams_webhook_url"):
            v = getattr(self, col)
            if v and not _URL.match(v):
                out.append(Problem("not an http(s) URL", column=col, value=v, expected="https://..."))
            elif v and require_https and not v.startswith("https://"):
                out.append(
                    Problem("webhook URLs must use https", column=col, value=v, expected="https://...")
                )
        return out

    def validate(self, require_https: bool = False) -> ScheduleSpec:
        probs = self.problems(require_https)
        if probs:
            raise ValidationFailed("the schedule is not valid; nothing was saved", problems=probs)
        return self


def next_runs(cron: str, tz: str, after: dt.datetime | None = None, n: int = 3) -> list[dt.datetime]:
    """The next ``n`` run times (aware, in ``tz``) after ``after`` (default: now)."""
    zone = zoneinfo.ZoneInfo(tz)
    start = (after or dt.datetime.now(dt.UTC)).astimezone(zone)
    it = croniter(cron, start)
    return [it.get_next(dt.datetime) for _ in range(n)]


def due_slot(s: Schedule, now: dt.datetime) -> dt.datetime | None:
    """The latest cron slot (naive UTC) in ``(last_slot or created_at, now]``, or None.

    Only the latest missed slot is returned: a scheduler that was down for a week sends one brief,
    not seven.
    """
    zone = zoneinfo.ZoneInfo(s.timezone)
    aware_now = (now if now.tzinfo else now.replace(tzinfo=dt.UTC)).astimezone(zone)
    prev = croniter(s.cron, aware_now + dt.timedelta(seconds=1)).get_prev(dt.datetime)
    slot = prev.astimezone(dt.UTC).replace(tzinfo=None)
    floor = s.last_slot or s.created_at
    return slot if slot > floor else None


def to_dict(s: Schedule) -> dict[str, Any]:
    nxt = next_runs(s.cron, s.timezone, n=1)[0] if s.enabled else None
    return {
        "id": s.id,
        "name": s.name,
        "owner": s.owner,
        "persona": s.persona,
        "cron": s.cron,
        "timezone": s.timezone,
        "channels": list(s.channels or []),
        "email_to": list(s.email_to or []),
        "slack_webhook_url": reveal(s.slack_webhook_url),
        "slack_channel": s.slack_channel,
        "teams_webhook_url": reveal(s.teams_webhook_url),
        "enabled": s.enabled,
        "last_slot": s.last_slot.isoformat() if s.last_slot else None,
        "next_run": nxt.isoformat() if nxt else None,
    }


def _check_may_schedule(scope: Scope, persona: str, actor: str) -> None:
    """A schedule's brief is its owner's own (composed with the owner's scope at send time);
    only an administrator may schedule another reader's brief."""
    if not scope.allows(SCHEDULE):
        raise Forbidden("your role may not create or edit brief schedules")
    if persona != actor and not scope.allows(ADMIN_USERS):
        raise Forbidden(
            f"you may only schedule your own brief ({actor}), not {persona!r}",
            hint="a brief is composed with its owner's scope; leave the persona empty",
        )


def _check_owner(s: Schedule, actor: str, scope: Scope) -> None:
    """Only the owner (or an administrator) sees or changes a schedule; others get a 404."""
    if s.owner != actor and not scope.allows(ADMIN_USERS):
        raise NotFound(f"no schedule with id {s.id}", hint="`GET /api/schedules` lists yours")


def create(
    db: AppDB,
    spec: ScheduleSpec,
    *,
    actor: str,
    scope: Scope,
    require_https: bool = False,
    personas: bool = True,
) -> dict[str, Any]:
    """Validate and save a new schedule; audited.

    ``require_https``: refuse plain-http webhooks. ``personas``: demo mode, where the schedule's
    persona must be a demo persona; in secure mode the persona is the owner's account name.
    """
    from revintel.scope import get_persona

    spec.validate(require_https)
    if personas:
        get_persona(spec.persona)
    _check_may_schedule(scope, spec.persona, actor)
    with db.session() as ses:
        row = Schedule(owner=actor, created_at=utcnow(), **vars(spec))
        ses.add(row)
        ses.flush()
        out = to_dict(row)
    audit.audited(
        db,
        actor,
        "schedule.create",
        scope=scope,
        target=f"schedule:{out['id']}",
        detail={"cron": spec.cron, "timezone": spec.timezone, "channels": spec.channels},
    )
    return out


def update(
    db: AppDB, schedule_id: int, spec: ScheduleSpec, *, actor: str, scope: Scope, require_https: bool = False
) -> dict[str, Any]:
    spec.validate(require_https)
    with db.session() as ses:
        row = _get(ses, schedule_id)
        _check_owner(row, actor, scope)
        _check_may_schedule(scope, spec.persona, row.owner)
        for k, v in vars(spec).items():
            setattr(row, k, v)
        out = to_dict(row)
    audit.audited(db, actor, "schedule.update", scope=scope, target=f"schedule:{schedule_id}")
    return out


def delete(db: AppDB, schedule_id: int, *, actor: str, scope: Scope) -> None:
    with db.session() as ses:
        row = _get(ses, schedule_id)
        _check_owner(row, actor, scope)
        ses.delete(row)
    audit.audited(db, actor, "schedule.delete", scope=scope, target=f"schedule:{schedule_id}")


def _get(ses: Any, schedule_id: int) -> Schedule:
    row = ses.get(Schedule, schedule_id)
    if row is None:
        raise NotFound(f"no schedule with id {schedule_id}", hint="`revintel schedules list` shows them")
    return row


def get(db: AppDB, schedule_id: int) -> dict[str, Any]:
    with db.session() as ses:
        return to_dict(_get(ses, schedule_id))


def list_schedules(db: AppDB, *, owner: str | None = None) -> list[dict[str, Any]]:
    """Every schedule (or one owner's), oldest first."""
    q = select(Schedule).order_by(Schedule.id)
    if owner:
        q = q.where(Schedule.owner == owner)
    with db.session() as ses:
        return [to_dict(s) for s in ses.scalars(q)]
