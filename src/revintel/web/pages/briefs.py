"""Brief pages: today's brief (with Export buttons and progress), past briefs, channel previews,
schedules (create / edit / delete) and the delivery log (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from revintel.briefs import presets
from revintel.briefs import schedules as sched
from revintel.delivery import CHANNELS
from revintel.errors import RevintelError
from revintel.http.deps import CurrentUser, RuntimeDep
from revintel.http.params import query_int
from revintel.scope import EXPORT, SCHEDULE, VIEW_AUDIT
from revintel.services import authz
from revintel.services import briefs as svc
from revintel.services.identity import User
from revintel.web.brief_charts import figure_json
from revintel.web.filters import page_scope
from revintel.web.nav import NavItem, register
from revintel.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Daily brief", "/briefs", section="Briefs", icon="✉", order=10))
register(
    NavItem("Delivery log", "/admin/deliveries", section="Admin", permission=VIEW_AUDIT, icon="⇄", order=35)
)


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
        "show_filters": True,  # the brief honours the global filters
        "brief_id": brief_id,
        "charts": _charts(doc),
        "use_charts": doc is not None,
        "doc": doc,
        "past": svc.list_briefs(rt, user, limit=20),
        "schedules": svc.list_schedules(rt, user),
        "channels": CHANNELS,
        "presets": presets.PRESETS,
        "schedule_words": presets.describe,
        "preset_of": presets.from_cron,
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
        scope = page_scope(request, user.scope)  # the brief honours the region/capability filters
        brief_id, doc = await run_in_threadpool(svc.todays_brief, rt, user, scope, None, refresh)
    except RevintelError as exc:
        return _page(request, user, rt, None, None, status=exc.status, error=exc)
    edit_id = query_int(request, "edit", 0, 0, svc.MAX_BRIEF_ID)
    edit = svc.get_schedule(rt, user, edit_id) if edit_id else None
    return _page(request, user, rt, brief_id, doc, edit=edit)


@router.get("/briefs/{brief_id}", response_class=HTMLResponse)
def past_brief(brief_id: int, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    return _page(request, user, rt, brief_id, svc.get_brief(rt, user, brief_id))


@router.get("/briefs/{brief_id}/preview", response_class=HTMLResponse)
def preview_page(brief_id: int, request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """What email, Slack and Teams would receive."""
    doc = svc.get_brief(rt, user, brief_id)
    return render(
        request,
        "brief_preview.html",
        {
            "title": "Channel previews",
            "show_filters": False,
            "brief_id": brief_id,
            "doc": doc,
            "p": svc.previews(rt, user, brief_id),
        },
    )


def _form_spec(form: Any, persona: str) -> sched.ScheduleSpec:
    def lines(name: str) -> list[str]:
        raw = str(form.get(name) or "")
        return [x.strip() for x in raw.replace(";", ",").replace("\n", ",").split(",") if x.strip()]

    return sched.ScheduleSpec(
        name=str(form.get("name") or ""),
        persona=persona,
        cron=presets.to_cron(
            str(form.get("preset") or presets.CUSTOM), str(form.get("at") or ""), str(form.get("cron") or "")
        ),
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
    authz.require(user, SCHEDULE)
    form = await request.form()
    doc = svc.get_brief(rt, user, brief_id)
    to = [x.strip() for x in str(form.get("email_to") or "").replace(";", ",").split(",") if x.strip()]
    channels = [str(c) for c in form.getlist("channels")]
    try:
        outcomes = await run_in_threadpool(svc.send_now, rt, user, brief_id, channels, to)
    except RevintelError as exc:
        return _page(request, user, rt, brief_id, doc, status=exc.status, send_error=exc)
    return _page(request, user, rt, brief_id, doc, sent=outcomes)


@router.post("/briefs/schedules", response_class=HTMLResponse)
async def create_schedule(request: Request, user: CurrentUser, rt: RuntimeDep) -> Response:
    """Create (or, with ``id``, update) a schedule; invalid input re-shows the form with the problems."""
    form = await request.form()
    sid = str(form.get("id") or "")
    try:
        spec = _form_spec(form, str(form.get("persona") or ""))
        if sid.isdigit():
            await run_in_threadpool(svc.update_schedule, rt, user, int(sid), spec)
        else:
            await run_in_threadpool(svc.create_schedule, rt, user, spec)
    except RevintelError as exc:
        _, doc = await run_in_threadpool(svc.todays_brief, rt, user, user.scope)
        return _page(
            request,
            user,
            rt,
            None,
            doc,
            status=exc.status,
            schedule_error=exc,
            form=dict(form),
            edit=svc.get_schedule(rt, user, int(sid)) if sid.isdigit() and len(sid) < 10 else None,
        )
    return RedirectResponse("/briefs#schedules", status_code=303)


@router.post("/briefs/schedules/{schedule_id}/delete")
def delete_schedule(schedule_id: int, user: CurrentUser, rt: RuntimeDep) -> Response:
    svc.delete_schedule(rt, user, schedule_id)
    return RedirectResponse("/briefs#schedules", status_code=303)


@router.get("/admin/deliveries", response_class=HTMLResponse)
def deliveries_page(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
    """The delivery log: who, what, when, channel, target, outcome, attempts, error."""
    rows = svc.deliveries(rt, user, limit=500)
    return render(
        request,
        "admin_deliveries.html",
        {
            "title": "Delivery log",
            "show_filters": False,
            "rows": rows,
        },
    )
