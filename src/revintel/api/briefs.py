"""Brief API: today's brief, past briefs, channel previews, send now, schedules CRUD, delivery log.

Routes are thin: :mod:`revintel.services.briefs` decides who may read, send or schedule what.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from revintel.briefs import schedules as sched
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.services import briefs as svc

router = APIRouter(tags=["briefs"])
IdParam = Annotated[int, Path(ge=1, le=svc.MAX_BRIEF_ID, description="A positive id.")]
DateParam = Annotated[
    dt.date | None, Query(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31), description="YYYY-MM-DD.")
]


class ScheduleIn(BaseModel):
    """A schedule as submitted by a form or API client."""

    name: str
    persona: str | None = Field(
        None, max_length=100, description="Demo mode only: your own persona (default). Secure mode: omit."
    )
    cron: str = Field(..., description="Five-field cron, e.g. '0 7 * * 1-5'.")
    timezone: str = Field("UTC", description="IANA time zone, e.g. 'Europe/London'.")
    channels: list[str] = Field(default_factory=lambda: ["email"])
    email_to: list[str] = Field(default_factory=list)
    slack_webhook_url: str | None = None
    slack_channel: str | None = None
    teams_webhook_url: str | None = None
    enabled: bool = True

    def spec(self) -> sched.ScheduleSpec:
        data = self.model_dump()
        data["persona"] = data["persona"] or ""
        return sched.ScheduleSpec(**data)


class SendIn(BaseModel):
    channels: list[str]
    email_to: list[str] = Field(default_factory=list)


@router.get("/api/briefs/today")
def today(user: CurrentUser, rt: RuntimeDep, date: DateParam = None, refresh: bool = False) -> dict[str, Any]:
    """Today's brief for the caller's scope (stored once per day; ``refresh=true`` recomposes)."""
    brief_id, doc = svc.todays_brief(rt, user, user.scope, date, refresh)
    return {"id": brief_id, "document": doc.to_dict()}


@router.get("/api/briefs")
def list_briefs(user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Past briefs the caller may read (their scope and domains cover the brief's), newest first."""
    return {"briefs": svc.list_briefs(rt, user)}


@router.get("/api/briefs/{brief_id}")
def get_brief(brief_id: IdParam, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """One stored brief (404 unless the caller's scope and domains cover it)."""
    return {"id": brief_id, "document": svc.get_brief(rt, user, brief_id).to_dict()}


@router.get("/api/briefs/{brief_id}/preview")
def preview(brief_id: IdParam, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """What email, Slack and Teams would receive for this brief."""
    return svc.previews(rt, user, brief_id)


@router.post("/api/briefs/{brief_id}/send")
def send(brief_id: IdParam, body: SendIn, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Send a stored brief now; each channel's outcome (a failure never blocks the others)."""
    return {"deliveries": svc.send_now(rt, user, brief_id, body.channels, body.email_to)}


# --- schedules ---------------------------------------------------------------------------------
@router.get("/api/schedules")
def list_schedules(user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """The caller's schedules (an administrator sees every schedule)."""
    return {"schedules": svc.list_schedules(rt, user)}


@router.post("/api/schedules", status_code=201)
def create_schedule(body: ScheduleIn, user: CurrentUser, rt: RuntimeDep) -> dict[str, Any]:
    """Create a schedule owned by the caller; invalid cron/time zone -> 422 with located problems."""
    return svc.create_schedule(rt, user, body.spec())


@router.put("/api/schedules/{schedule_id}")
def update_schedule(
    schedule_id: IdParam, body: ScheduleIn, user: CurrentUser, rt: RuntimeDep
) -> dict[str, Any]:
    """Change one of the caller's schedules (404 for someone else's)."""
    return svc.update_schedule(rt, user, schedule_id, body.spec())


@router.delete("/api/schedules/{schedule_id}", status_code=204)
def delete_schedule(schedule_id: IdParam, user: CurrentUser, rt: RuntimeDep) -> Response:
    """Delete one of the caller's schedules (404 for someone else's)."""
    svc.delete_schedule(rt, user, schedule_id)
    return Response(status_code=204)


@router.get("/api/deliveries")
def deliveries(
    user: CurrentUser, rt: RuntimeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> dict[str, Any]:
    """The delivery log (who, what, when, channel, outcome, error): ``view_audit`` permission."""
    return {"deliveries": svc.deliveries(rt, user, limit=limit)}
