"""What the API, pages and CLI share about briefs: today's brief (stored once per persona and
day, recomposed on request), channel previews, and sending a brief now."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from revintel.appdb.schedules import BriefRecord
from revintel.briefs.compose import compose_brief, covers, save_brief
from revintel.delivery import Target
from revintel.delivery.slack import slack_payload
from revintel.delivery.teams import teams_payload
from revintel.errors import Forbidden, InvalidRequest, NotFound
from revintel.export.document import Document
from revintel.export.html import render_html
from revintel.scope import SCHEDULE, Scope, get_persona

if TYPE_CHECKING:
    from revintel.runtime import Runtime


def persona_of(rt: Runtime, scope: Scope) -> Any:
    """The demo persona behind ``scope`` (None for a secure-mode user)."""
    if not scope.persona:
        return None
    try:
        return get_persona(
            scope.persona, str(rt.settings.personas_file) if rt.settings.personas_file else None
        )
    except NotFound:  # a secure-mode user is not a demo persona
        return None


def todays_brief(
    rt: Runtime, scope: Scope, *, actor: str, day: dt.date | None = None, refresh: bool = False
) -> tuple[int, Document]:
    """The stored brief for this persona and day, composing (and storing) it when missing or asked."""
    day = day or rt.as_of()
    key = scope.persona or actor
    if not refresh:
        with rt.appdb.session() as s:
            row = s.scalars(
                select(BriefRecord)
                .where(BriefRecord.persona == key, BriefRecord.brief_date == day)
                .order_by(BriefRecord.id.desc())
                .limit(1)
            ).first()
            if (
                row is not None
                and covers(scope, row.document)
                and Document.from_dict(row.document).scope == scope.describe()
            ):
                return row.id, Document.from_dict(row.document)
    doc = compose_brief(rt, scope, day, persona=persona_of(rt, scope))
    return save_brief(rt.appdb, doc, created_by=actor, scope=scope), doc


def previews(doc: Document, settings: Any) -> dict[str, Any]:
    """What each channel would send: email subject + HTML, Slack Block Kit, Teams Adaptive Card."""
    from revintel.briefs.scheduler import subject_of

    return {
        "email": {
            "subject": subject_of(doc),
            "from": settings.smtp_from,
            "html": render_html(doc),
            "attachment": f"brief-{doc.persona or 'all'}-{doc.as_of}.pdf",
        },
        "slack": slack_payload(doc, settings.slack_channel),
        "teams": teams_payload(doc),
    }


def send_now(
    rt: Runtime,
    doc: Document,
    scope: Scope,
    *,
    actor: str,
    channels: list[str],
    email_to: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Deliver a brief immediately on ``channels`` (webhooks from settings); outcomes per channel."""
    from revintel.briefs.scheduler import make_message, send_brief

    if not scope.allows(SCHEDULE):
        raise Forbidden("your role may not send briefs", hint="needs the 'schedule' permission")
    if not channels:
        raise InvalidRequest("pick at least one channel", hint="email, slack or teams")
    outs = send_brief(
        rt,
        make_message(doc),
        channels,
        Target(email_to=email_to or []),
        actor=actor,
        key_prefix=f"manual:{uuid.uuid4().hex}",
        persona=scope.persona,
    )
    return [o.to_dict() for o in outs]
