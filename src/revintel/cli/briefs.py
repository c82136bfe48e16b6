"""``revintel brief``, ``revintel export``, ``revintel scheduler`` and ``revintel schedules ...``."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import ISO_DATE, JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.cli.progress import progress_bar
from revintel.errors import InvalidRequest
from revintel.scope import Persona, get_persona

DEFAULT_PERSONA = "ceo"


def _persona(persona_id: str | None) -> Persona:
    rt = runtime()
    return get_persona(
        persona_id or DEFAULT_PERSONA, str(rt.settings.personas_file) if rt.settings.personas_file else None
    )


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


@app.command()
def brief(
    persona: PersonaOpt = None,
    date: Annotated[
        dt.datetime | None,
        typer.Option("--date", **ISO_DATE, help="Brief date (default: the data's as-of date)."),
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the brief as PDF to this file.")] = None,
    pptx: Annotated[
        Path | None, typer.Option("--pptx", help="Write the brief as PowerPoint to this file.")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="Deliver on every configured channel.")] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Email recipient for --send (repeatable).")
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Limit --send to email/slack/teams.")
    ] = None,
    no_polish: Annotated[
        bool, typer.Option("--no-polish", help="Skip the optional LLM wording polish.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compose the daily brief for a persona (its scope applied); optionally write PDF/PPTX and send it."""
    from revintel.briefs.compose import compose_brief, save_brief
    from revintel.services.export_jobs import render

    rt = runtime()
    p = _persona(persona)
    chosen = _channels_to_use(rt.settings, to or [], channel or []) if send else []
    out: dict[str, Any] = {"persona": p.id, "files": {}, "deliveries": []}
    with progress_bar(not as_json) as progress:
        doc = compose_brief(
            rt,
            p.scope,
            date.date() if date else None,
            persona=p,
            polish=not no_polish,
            progress=lambda s, f: progress(s, f * 0.6),
        )
        out["brief_id"] = save_brief(rt.appdb, doc, created_by=p.id, scope=p.scope)
        for fmt, path in (("pdf", pdf), ("pptx", pptx)):
            if path:
                out["files"][fmt] = _write(
                    path, render(doc, "brief", fmt, lambda s, f: progress(s, 0.6 + 0.3 * f))
                )
                _audit_export(rt, p, fmt, path)
        if send:
            progress("Sending", 0.9)
            out["deliveries"] = [o.to_dict() for o in _send(rt, doc, p, to or [], chosen)]
    out["document"] = doc.to_dict()
    emit(out, as_json, _render_brief)


def _audit_export(rt: Any, p: Persona, fmt: str, path: Path) -> None:
    from revintel.appdb import audit

    audit.audited(
        rt.appdb,
        p.id,
        "export",
        scope=p.scope,
        target=f"brief.{fmt}",
        detail={"file": str(path), "via": "cli"},
    )


def configured_channels(settings: Any, to: list[str]) -> list[str]:
    """Channels with enough settings to send: email (SMTP host + --to), Slack, Teams."""
    out = []
    if settings.smtp_host and to:
        out.append("email")
    if settings.slack_webhook_url or (settings.slack_bot_token and settings.slack_channel):
        out.append("slack")
    if settings.teams_webhook_url:
        out.append("teams")
    return out


def _channels_to_use(settings: Any, to: list[str], channels: list[str]) -> list[str]:
    """The channels ``--send`` uses (checked before composing, so a bad call fails fast)."""
    from revintel.delivery import CHANNELS

    for c in channels:
        if c not in CHANNELS:
            raise InvalidRequest(f"unknown channel {c!r}", hint="email, slack or teams")
    chosen = channels or configured_channels(settings, to)
    if not chosen:
        raise InvalidRequest(
            "--send found no configured channel",
            hint="set REVINTEL_SMTP_HOST and pass --to, or REVINTEL_SLACK_WEBHOOK_URL, "
            "or REVINTEL_TEAMS_WEBHOOK_URL",
        )
    return chosen


def _send(rt: Any, doc: Any, p: Persona, to: list[str], chosen: list[str]) -> list[Any]:
    from revintel.briefs.scheduler import make_message, send_brief
    from revintel.delivery import Target

    return send_brief(
        rt,
        make_message(doc),
        chosen,
        Target(email_to=to),
        actor=p.id,
        key_prefix=f"manual:{uuid.uuid4().hex}",
        persona=p.id,
    )


def _render_brief(out: dict[str, Any]) -> None:
    from revintel.export.document import Document
    from revintel.export.html import render_text

    console.print(render_text(Document.from_dict(out["document"])), highlight=False)
    for fmt, path in out["files"].items():
        console.print(f"[green]wrote[/] {fmt.upper()} {path}")
    for d in out["deliveries"]:
        style = {"sent": "green", "skipped": "yellow"}.get(d["outcome"], "red")
        line = f"[{style}]{d['channel']}: {d['outcome']}[/] after {d['attempts']} attempt(s)"
        console.print(line + (f" — {d['error']}" if d.get("error") else ""))


@app.command("export")
def export_cmd(
    view: Annotated[
        str, typer.Argument(help="brief, board, dashboard, kpi, ask, risks, forecast or marketing.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="pdf or pptx.")] = "pdf",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: a name in the current folder).")
    ] = None,
    persona: PersonaOpt = None,
    metric: Annotated[str | None, typer.Option("--metric", help="Metric id for the kpi view.")] = None,
    question: Annotated[str | None, typer.Option("--question", help="Question for the ask view.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Period, e.g. 'last quarter'.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Breakdown dimension for the kpi view.")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Narrow to one region (never widens).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a view to PDF or PowerPoint with the persona's scope (board = the QBR/board deck)."""
    from revintel.services.export_jobs import export

    rt = runtime()
    p = _persona(persona)
    params = {
        "metric": metric,
        "question": question,
        "period": period,
        "by": by,
        "filters": {"region": region} if region else {},
    }
    with progress_bar(not as_json) as progress:
        res = export(rt, view, fmt, p.scope, actor=p.id, params=params, progress=progress)
    path = _write(out or Path(res.filename), res.data)
    emit(
        {"view": view, "format": fmt, "file": path, "bytes": len(res.data), "persona": p.id},
        as_json,
        lambda o: console.print(f"[green]wrote[/] {o['file']} ({o['bytes']:,} bytes)"),
    )


@app.command()
def scheduler(
    once: Annotated[bool, typer.Option("--once", help="Run the due schedules once and exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 30.0,
    as_json: JsonOpt = False,
) -> None:
    """Run the brief scheduler stand-alone (Ctrl-C to stop); safe to restart at any time."""
    from revintel.briefs.scheduler import Scheduler

    rt = runtime()
    if once:
        reports = Scheduler(rt).run_once()
        emit({"runs": [r.to_dict() for r in reports]}, as_json, _render_runs)
        return
    console.print(f"scheduler running every {interval:g}s (Ctrl-C to stop)")
    try:
        Scheduler(rt, interval_seconds=interval).loop()
    except KeyboardInterrupt:
        console.print("scheduler stopped; see `revintel schedules deliveries` for what was sent")


def _render_runs(obj: dict[str, Any]) -> None:
    if not obj["runs"]:
        console.print("no schedule is due")
    for r in obj["runs"]:
        outs = ", ".join(f"{o['channel']}={o['outcome']}" for o in r["outcomes"]) or r["error"]
        console.print(f"schedule {r['schedule_id']} slot {r['slot']}: {outs}")


schedules_app = typer.Typer(
    help="Brief schedules: list, add, edit, remove, deliveries.", no_args_is_help=True
)
app.add_typer(schedules_app, name="schedules")

CronOpt = Annotated[str, typer.Option("--cron", help="Five-field cron, e.g. '0 7 * * 1-5' (07:00 weekdays).")]
TzOpt = Annotated[str, typer.Option("--tz", help="IANA time zone, e.g. Europe/London.")]
ChannelsOpt = Annotated[
    list[str] | None, typer.Option("--channel", help="email, slack or teams (repeatable).")
]


def _spec(
    name: str,
    persona: str,
    cron: str,
    tz: str,
    channels: list[str] | None,
    to: list[str] | None,
    slack_webhook: str | None,
    slack_channel: str | None,
    teams_webhook: str | None,
    enabled: bool,
) -> Any:
    from revintel.briefs.schedules import ScheduleSpec

    return ScheduleSpec(
        name=name,
        persona=persona,
        cron=cron,
        timezone=tz,
        channels=channels or ["email"],
        email_to=to or [],
        slack_webhook_url=slack_webhook,
        slack_channel=slack_channel,
        teams_webhook_url=teams_webhook,
        enabled=enabled,
    )


@schedules_app.command("list")
def schedules_list(as_json: JsonOpt = False) -> None:
    """Every schedule with its next run (in its own time zone)."""
    from revintel.briefs.schedules import list_schedules

    emit({"schedules": list_schedules(runtime().appdb)}, as_json, _render_schedules)


def _render_schedules(obj: dict[str, Any]) -> None:
    t = Table("id", "name", "persona", "cron", "time zone", "channels", "next run", "enabled")
    for s in obj["schedules"]:
        t.add_row(
            str(s["id"]),
            s["name"],
            s["persona"],
            s["cron"],
            s["timezone"],
            ", ".join(s["channels"]),
            s["next_run"] or "-",
            "yes" if s["enabled"] else "no",
        )
    console.print(t)


@schedules_app.command("add")
def schedules_add(
    name: Annotated[str, typer.Option("--name", help="A label for the schedule.")],
    cron: CronOpt,
    tz: TzOpt = "UTC",
    persona: PersonaOpt = None,
    channel: ChannelsOpt = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="Email recipient (repeatable).")] = None,
    slack_webhook: Annotated[str | None, typer.Option(help="Slack incoming webhook URL.")] = None,
    slack_channel: Annotated[str | None, typer.Option(help="Slack channel (bot token delivery).")] = None,
    teams_webhook: Annotated[str | None, typer.Option(help="Teams incoming webhook URL.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a schedule; invalid cron or time zone is refused with the reason."""
    from revintel.briefs import schedules

    p = _persona(persona)
    spec = _spec(name, p.id, cron, tz, channel, to, slack_webhook, slack_channel, teams_webhook, True)
    out = schedules.create(runtime().appdb, spec, actor=p.id, scope=p.scope)
    emit(
        out,
        as_json,
        lambda s: console.print(f"[green]schedule {s['id']} created[/]; next run {s['next_run']}"),
    )


@schedules_app.command("edit")
def schedules_edit(
    schedule_id: Annotated[int, typer.Argument(help="Schedule id.")],
    cron: Annotated[str | None, typer.Option("--cron", help="New cron expression.")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="New time zone.")] = None,
    channel: ChannelsOpt = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="Replace the email recipients.")] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enabled/--disabled", help="Turn the schedule on/off.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a schedule's cron, time zone, channels, recipients or enabled flag."""
    from revintel.briefs import schedules

    rt = runtime()
    cur = schedules.get(rt.appdb, schedule_id)
    p = _persona(cur["persona"])
    spec = _spec(
        cur["name"],
        cur["persona"],
        cron or cur["cron"],
        tz or cur["timezone"],
        channel or cur["channels"],
        to if to is not None else cur["email_to"],
        cur["slack_webhook_url"],
        cur["slack_channel"],
        cur["teams_webhook_url"],
        cur["enabled"] if enabled is None else enabled,
    )
    out = schedules.update(rt.appdb, schedule_id, spec, actor=cur["owner"], scope=p.scope)
    emit(
        out,
        as_json,
        lambda s: console.print(f"[green]schedule {s['id']} updated[/]; next run {s['next_run']}"),
    )


@schedules_app.command("remove")
def schedules_remove(
    schedule_id: Annotated[int, typer.Argument(help="Schedule id.")], as_json: JsonOpt = False
) -> None:
    """Delete a schedule (its delivery log stays)."""
    from revintel.briefs import schedules
    from revintel.scope import Scope

    rt = runtime()
    cur = schedules.get(rt.appdb, schedule_id)
    schedules.delete(rt.appdb, schedule_id, actor=cur["owner"], scope=Scope.everything())
    emit({"deleted": schedule_id}, as_json, lambda o: console.print(f"schedule {o['deleted']} deleted"))


@schedules_app.command("deliveries")
def schedules_deliveries(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 30, as_json: JsonOpt = False
) -> None:
    """The delivery log: who, what, when, channel, outcome, attempts, error."""
    from revintel.delivery import delivery_log

    emit({"deliveries": delivery_log(runtime().appdb, limit)}, as_json, _render_log)


def _render_log(obj: dict[str, Any]) -> None:
    t = Table("when", "who", "what", "channel", "target", "outcome", "tries", "error")
    for d in obj["deliveries"]:
        t.add_row(
            d["at"][:19],
            d["actor"],
            d["what"],
            d["channel"],
            d["target"] or "",
            d["outcome"],
            str(d["attempts"]),
            (d["error"] or "")[:80],
        )
    console.print(t)
