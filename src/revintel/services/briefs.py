"""Briefs and schedules, owned by users: who may read a stored brief, who may see or change a
schedule, and whose scope a schedule's brief is composed with.

- A stored brief is readable only by a reader whose scope and domains cover the scope it was
  composed within (:func:`revintel.briefs.compose.covers`); anything else is a 404.
- A schedule belongs to its creator; only they (or an administrator) list, edit or delete it.
  Its brief is composed with the creator's *current* scope at send time
  (:func:`revintel.briefs.scheduler.reader_of`). Personas exist only in demo mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from revintel.appdb.schedules import BriefRecord
from revintel.briefs import schedules as sched
from revintel.briefs import service
from revintel.briefs.compose import covers
from revintel.delivery import delivery_log
from revintel.errors import InvalidRequest, NotFound
from revintel.export.document import Document
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services.audited import audited
from revintel.services.identity import User

MAX_BRIEF_ID = 2**31 - 1


def todays_brief(
    rt: Runtime, user: User, scope: Scope, day: dt.date | None = None, refresh: bool = False
) -> tuple[int, Document]:
    """Today's brief for the caller, composed within ``scope`` (theirs, possibly narrowed)."""
    brief_id, doc = service.todays_brief(rt, scope, actor=user.id, day=day, refresh=refresh)
    audited(rt.appdb, user, "query", f"brief:{brief_id}", scope=scope)
    return brief_id, doc


def list_briefs(rt: Runtime, user: User, limit: int = 30) -> list[dict[str, Any]]:
    """Stored briefs the caller may read, newest first (without their documents)."""
    out: list[dict[str, Any]] = []
    with rt.appdb.session() as s:
        for r in s.scalars(select(BriefRecord).order_by(BriefRecord.id.desc()).limit(2000)):
            if covers(user.scope, r.document):
                out.append(
                    {
                        "id": r.id,
                        "persona": r.persona,
                        "date": r.brief_date.isoformat(),
                        "title": r.title,
                        "created_at": r.created_at.isoformat(),
                        "created_by": r.created_by,
                    }
                )
                if len(out) >= limit:
                    break
    return out


def get_brief(rt: Runtime, user: User, brief_id: int) -> Document:
    """One stored brief, if the caller's scope and domains cover it (else 404, as for a missing id)."""
    if 0 < brief_id <= MAX_BRIEF_ID:
        with rt.appdb.session() as s:
            row = s.get(BriefRecord, brief_id)
            if row is not None and covers(user.scope, row.document):
                doc = Document.from_dict(row.document)
                audited(rt.appdb, user, "query", f"brief:{brief_id}")
                return doc
    raise NotFound(f"no stored brief with id {brief_id}", hint="GET /api/briefs lists the ones you can read")


def previews(rt: Runtime, user: User, brief_id: int) -> dict[str, Any]:
    """What email, Slack and Teams would receive for a brief the caller may read."""
    return service.previews(get_brief(rt, user, brief_id), rt.settings)


def send_now(
    rt: Runtime, user: User, brief_id: int, channels: list[str], email_to: list[str] | None = None
) -> list[dict[str, Any]]:
    """Send a stored brief the caller may read (needs the ``schedule`` permission)."""
    authz.require(user, authz.SCHEDULE)
    doc = get_brief(rt, user, brief_id)
    return service.send_now(rt, doc, user.scope, actor=user.id, channels=channels, email_to=email_to)


def deliveries(rt: Runtime, user: User, limit: int = 200) -> list[dict[str, Any]]:
    """The delivery log (``view_audit`` permission)."""
    authz.require(user, authz.VIEW_AUDIT)
    return delivery_log(rt.appdb, limit=limit)


# --- schedules ---------------------------------------------------------------------------------
def _owner_filter(user: User) -> str | None:
    return None if authz.is_admin(user) else user.id


def list_schedules(rt: Runtime, user: User) -> list[dict[str, Any]]:
    """The caller's schedules (every schedule for an administrator)."""
    return sched.list_schedules(rt.appdb, owner=_owner_filter(user))


def get_schedule(rt: Runtime, user: User, schedule_id: int) -> dict[str, Any]:
    """One of the caller's schedules (404 for someone else's, unless admin)."""
    out = sched.get(rt.appdb, schedule_id) if 0 < schedule_id <= MAX_BRIEF_ID else None
    if out is None or (out["owner"] != user.id and not authz.is_admin(user)):
        raise NotFound(f"no schedule with id {schedule_id}", hint="GET /api/schedules lists yours")
    return out


def _spec(rt: Runtime, user: User, spec: sched.ScheduleSpec, owner: str) -> sched.ScheduleSpec:
    """The schedule's reader: a demo persona (demo mode, default the owner's own) or the owner.

    Raises:
        InvalidRequest: a persona other than the owner named in secure mode.
    """
    if not spec.persona:
        spec.persona = owner
    elif not rt.settings.demo_mode and spec.persona != owner:
        raise InvalidRequest(
            "personas exist only in demo mode",
            hint="leave persona empty: the brief is composed with your own scope",
            details={"parameter": "persona", "value": spec.persona[:100]},
        )
    return spec


def create_schedule(rt: Runtime, user: User, spec: sched.ScheduleSpec) -> dict[str, Any]:
    """Create a schedule owned by the caller (``schedule`` permission); audited."""
    authz.require(user, authz.SCHEDULE)
    return sched.create(
        rt.appdb,
        _spec(rt, user, spec, user.id),
        actor=user.id,
        scope=user.scope,
        require_https=not rt.settings.demo_mode,
        personas=rt.settings.demo_mode,
    )


def update_schedule(rt: Runtime, user: User, schedule_id: int, spec: sched.ScheduleSpec) -> dict[str, Any]:
    """Change one of the caller's schedules (an administrator may change any); audited."""
    authz.require(user, authz.SCHEDULE)
    current = get_schedule(rt, user, schedule_id)
    spec = _spec(rt, user, spec, current["owner"])
    return sched.update(
        rt.appdb, schedule_id, spec, actor=user.id, scope=user.scope, require_https=not rt.settings.demo_mode
    )


def delete_schedule(rt: Runtime, user: User, schedule_id: int) -> None:
    """Delete one of the caller's schedules (an administrator may delete any); audited."""
    authz.require(user, authz.SCHEDULE)
    get_schedule(rt, user, schedule_id)
    sched.delete(rt.appdb, schedule_id, actor=user.id, scope=user.scope)
