"""Brief API: today's brief, past briefs, channel previews, send now, schedules CRUD, delivery log.

Routes are thin: they resolve the caller and their scope, then call :mod:`revintel.briefs`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.briefs import schedules as sched
from revintel.briefs import service
from revintel.briefs.compose import load_brief, past_briefs
from revintel.briefs.delivery import delivery_log
from revintel.errors import Forbidden
from revintel.scope import VIEW_AUDIT

router = APIRouter(tags=["briefs"])


class ScheduleIn(BaseModel):
    """A schedule as submitted by a form or API client."""

    name: str
    persona: str | None = Field(None, description="Whose scope the brief uses (default: yours).")
    cron: str = Field(..., description="Five-field cron, e.g. '0 7 * * 1-5'.")
    timezone: str = Field("UTC", description="IANA time zone, e.g. 'Europe/London'.")
    channels: list[str] = Field(default_factory=lambda: ["email"])
    email_to: list[str] = Field(default_factory=list)
    slack_webhook_url: str | None = None
    slack_channel: str | None = None
    teams_webhook_url: str | None = None
    enabled: bool = True

    def spec(self, default_persona: str) -> sched.ScheduleSpec:
        data = self.model_dump()
        data["persona"] = data["persona"] or default_persona
        return sched.ScheduleSpec(**data)


class SendIn(BaseModel):
    channels: list[str]
    email_to: list[str] = Field(default_factory=list)


def _persona_filter(user: Any) -> str | None:
    """Restricted readers see only their own briefs (by persona, or by user id in secure mode)."""
    return None if user.scope.unrestricted else (user.scope.persona or user.id)


@router.get("/api/briefs/today")
def today(
    user: CurrentUser, rt: RuntimeDep, date: dt.date | None = None, refresh: bool = False
) -> dict[str, Any]:
    """Today's brief for the caller's scope (stored once per day; ``refresh=true`` recomposes)."""
    brief_id, doc = service.todays_brief(rt, user.scope, actor=user.id, day=date, refresh=refresh)
    return {"id": brief_id, "document": doc.to_dict()}


@router.get("/api/briefs")
def list_briefs(user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Past briefs, newest first (a restricted reader sees only their own)."""
    return {"briefs": past_briefs(rt.appdb, _persona_filter(user))}


@router.get("/api/briefs/{brief_id}")
def get_brief(brief_id: int, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    return {"id": brief_id, "document": load_brief(rt.appdb, brief_id, _persona_filter(user)).to_dict()}


@router.get("/api/briefs/{brief_id}/preview")
def preview(brief_id: int, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """What email, Slack and Teams would receive for this brief."""
    doc = load_brief(rt.appdb, brief_id, _persona_filter(user))
    return service.previews(doc, rt.settings)


@router.post("/api/briefs/{brief_id}/send")
def send(brief_id: int, body: SendIn, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Send a stored brief now; each channel's outcome (a failure never blocks the others)."""
    doc = load_brief(rt.appdb, brief_id, _persona_filter(user))
    return {
        "deliveries": service.send_now(
            rt, doc, user.scope, actor=user.id, channels=body.channels, email_to=body.email_to
        )
    }


# --- schedules ---------------------------------------------------------------------------------
def _owner(user: Any) -> str | None:
    return None if user.scope.unrestricted else user.id


@router.get("/api/schedules")
def list_schedules(user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    return {"schedules": sched.list_schedules(rt.appdb, owner=_owner(user))}


@router.post("/api/schedules", status_code=201)
def create_schedule(body: ScheduleIn, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Create a schedule; invalid cron/time zone -> 422 with located problems."""
    return sched.create(
        rt.appdb,
        body.spec(user.scope.persona or user.id),
        actor=user.id,
        scope=user.scope,
        require_https=not rt.settings.demo_mode,
    )


@router.put("/api/schedules/{schedule_id}")
def update_schedule(schedule_id: int, body: ScheduleIn, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    return sched.update(
        rt.appdb,
        schedule_id,
        body.spec(user.scope.persona or user.id),
        actor=user.id,
        scope=user.scope,
        require_https=not rt.settings.demo_mode,
    )


@router.delete("/api/schedules/{schedule_id}", status_code=204)
def delete_schedule(schedule_id: int, user: CurrentUser, rt: RuntimeDep) -> Response:
    sched.delete(rt.appdb, schedule_id, actor=user.id, scope=user.scope)
    return Response(status_code=204)


@router.get("/api/deliveries")
def deliveries(user: CurrentUser, rt: RuntimeDep, limit: int = 200) -> dict[str, Any]:
    """The delivery log (who, what, when, channel, outcome, error); admins and executives only."""
    if not user.scope.allows(VIEW_AUDIT):
        raise Forbidden("the delivery log needs the 'view_audit' permission")
    return {"deliveries": delivery_log(rt.appdb, limit=min(limit, 1000))}
