"""Brief pages: today's brief (with Export buttons and progress), past briefs, channel previews,
schedules (create / edit / delete) and the delivery log (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from revintel.api.auth import User
from revintel.api.deps import CurrentUser, RuntimeDep
from revintel.briefs import schedules as sched
from revintel.briefs import service
from revintel.briefs.compose import load_brief, past_briefs
from revintel.briefs.delivery import CHANNELS, delivery_log
from revintel.errors import Forbidden, RevintelError
from revintel.scope import EXPORT, SCHEDULE, VIEW_AUDIT
from revintel.web.brief_charts import figure_json
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Daily brief", "/briefs", section="Briefs", icon="✉", order=10))
register(
    NavItem("Delivery log", "/admin/deliveries", section="Admin", permission=VIEW_AUDIT, icon="⇄", order=35)
)


def _reader(user: User) -> str | None:
    return None if user.scope.unrestricted else (user.scope.persona or user.id)


def _charts(doc: Any) -> dict[str, str]:
    """Plotly figure JSON per item with a chart, keyed ``<section id>-<item number>``."""
    if doc is None:
        return {}
    out = {}
    for s in doc.sections:
        for n, it in enumerate(s.items, start=1):
            fig = figure_json(it.chart) if it.chart else None
            if fig:
                out[f"{s.id}-{n}"] = fig
    return out


def _page(
    request: Request, user: User, rt: Any, brief_id: int | None, doc: Any, status: int = 200, **extra: Any
) -> HTMLResponse:
    ctx = {
        "title": "Daily brief",
        "show_filters": False,
        "brief_id": brief_id,
        "charts": _charts(doc),
        "use_charts": doc is not None,
        "doc": doc,
        "past": past_briefs(rt.appdb, _reader(user), limit=20),
        "schedules": sched.list_schedules(rt.appdb, owner=None if user.scope.unrestricted else user.id),
        "channels": CHANNELS,
        "can_export": user.scope.allows(EXPORT),
        "can_schedule": user.scope.allows(SCHEDULE),
        "persona": user.scope.persona or user.id,
        "form": {},
        "edit": None,
    }
    ctx.update(extra)
    return render(request, "briefs.html", ctx, status_code=status)


@router.get("/briefs", response_class=HTMLResponse)
async def briefs_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Today's brief for the signed-in user's scope, past briefs and schedules."""
    refresh = request.query_params.get("refresh") == "1"
    try:
        brief_id, doc = await run_in_threadpool(
            service.todays_brief, rt, user.scope, actor=user.id, refresh=refresh
        )
    except RevintelError as exc:
        return _page(request, user, rt, None, None, status=exc.status, error=exc)
    edit_id = request.query_params.get("edit")
    edit = sched.get(rt.appdb, int(edit_id)) if edit_id and edit_id.isdigit() else None
    return _page(request, user, rt, brief_id, doc, edit=edit)


@router.get("/briefs/{brief_id}", response_class=HTMLResponse)
def past_brief(brief_id: int, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    return _page(request, user, rt, brief_id, load_brief(rt.appdb, brief_id, _reader(user)))


@router.get("/briefs/{brief_id}/preview", response_class=HTMLResponse)
def preview_page(brief_id: int, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """What email, Slack and Teams would receive."""
    doc = load_brief(rt.appdb, brief_id, _reader(user))
    return render(
        request,
        "brief_preview.html",
        {
            "title": "Channel previews",
            "show_filters": False,
            "brief_id": brief_id,
            "doc": doc,
            "p": service.previews(doc, rt.settings),
        },
    )


def _form_spec(form: Any, persona: str) -> sched.ScheduleSpec:
    def lines(name: str) -> list[str]:
        raw = str(form.get(name) or "")
        return [x.strip() for x in raw.replace(";", ",").replace("\n", ",").split(",") if x.strip()]

    return sched.ScheduleSpec(
        name=str(form.get("name") or ""),
        persona=persona,
        cron=str(form.get("cron") or "").strip(),
        timezone=str(form.get("timezone") or "UTC").strip(),
        channels=[str(c) for c in form.getlist("channels")],
        email_to=lines("email_to"),
        slack_webhook_url=str(form.get("slack_webhook_url") or "").strip() or None,
        slack_channel=str(form.get("slack_channel") or "").strip() or None,
        teams_webhook_url=str(form.get("teams_webhook_url") or "").strip() or None,
        enabled=form.get("enabled", "on") == "on",
    )


@router.post("/briefs/{brief_id}/send", response_class=HTMLResponse)
async def send_page(brief_id: int, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """Send a brief now; each channel's outcome (and error) is shown on the page and logged."""
    form = await request.form()
    doc = load_brief(rt.appdb, brief_id, _reader(user))
    to = [x.strip() for x in str(form.get("email_to") or "").replace(";", ",").split(",") if x.strip()]
    channels = [str(c) for c in form.getlist("channels")]
    try:
        outcomes = await run_in_threadpool(
            service.send_now, rt, doc, user.scope, actor=user.id, channels=channels, email_to=to
        )
    except RevintelError as exc:
        return _page(request, user, rt, brief_id, doc, status=exc.status, send_error=exc)
    return _page(request, user, rt, brief_id, doc, sent=outcomes)


@router.post("/briefs/schedules", response_class=HTMLResponse)
async def create_schedule(request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
    """Create (or, with ``id``, update) a schedule; invalid input re-shows the form with the problems."""
    form = await request.form()
    sid = str(form.get("id") or "")
    spec = _form_spec(form, str(form.get("persona") or user.scope.persona or user.id))
    secure = not rt.settings.demo_mode  # plain-http webhooks only in demo mode
    try:
        if sid.isdigit():
            sched.update(rt.appdb, int(sid), spec, actor=user.id, scope=user.scope, require_https=secure)
        else:
            sched.create(rt.appdb, spec, actor=user.id, scope=user.scope, require_https=secure)
    except RevintelError as exc:
        _, doc = await run_in_threadpool(service.todays_brief, rt, user.scope, actor=user.id)
        return _page(
            request,
            user,
            rt,
            None,
            doc,
            status=exc.status,
            schedule_error=exc,
            form=dict(form),
            edit=sched.get(rt.appdb, int(sid)) if sid.isdigit() else None,
        )
    return RedirectResponse("/briefs#schedules", status_code=303)


@router.post("/briefs/schedules/{schedule_id}/delete")
def delete_schedule(schedule_id: int, user: CurrentUser, rt: RuntimeDep) -> Response:
    sched.delete(rt.appdb, schedule_id, actor=user.id, scope=user.scope)
    return RedirectResponse("/briefs#schedules", status_code=303)


@router.get("/admin/deliveries", response_class=HTMLResponse)
def deliveries_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """The delivery log: who, what, when, channel, target, outcome, attempts, error."""
    if not user.scope.allows(VIEW_AUDIT):
        raise Forbidden("the delivery log needs the 'view_audit' permission")
    return render(
        request,
        "admin_deliveries.html",
        {
            "title": "Delivery log",
            "show_filters": False,
            "rows": delivery_log(rt.appdb, limit=500),
        },
    )
