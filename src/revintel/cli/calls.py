"""``revintel calls ...``: search calls, trackers, call statistics, competitive intel, the deal copilot."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.errors import InvalidRequest
from revintel.scope import get_persona
from revintel.services.identity import User

calls_app = typer.Typer(
    help="Conversation intelligence: search, trackers, call stats, competitors, deal copilot.",
    no_args_is_help=True,
)
app.add_typer(calls_app, name="calls")

AccountOpt = Annotated[str | None, typer.Option("--account", help="Only this account (name or id).")]
DealOpt = Annotated[str | None, typer.Option("--deal", help="Only this deal (opportunity id).")]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only conversations since a date (YYYY-MM-DD) or a period ('last quarter')."
    ),
]


def _user(persona: str | None) -> User:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    p = get_persona(persona or "ceo", path)
    return User(id=p.id, name=p.name, role=p.role, scope=p.scope, via="cli")


def _since(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        period = runtime().semantic.period(text)
        if period is None:
            raise InvalidRequest(
                f"cannot read --since {text!r}", hint="a date YYYY-MM-DD or 'last quarter'"
            ) from None
        return period.start


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


@calls_app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words or a phrase, e.g. 'pricing concerns'.")],
    account: AccountOpt = None,
    deal: DealOpt = None,
    since: SinceOpt = None,
    speaker: Annotated[
        str | None, typer.Option("--speaker", help="Only what this side said: customer or rep.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many snippets.")] = 10,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search every call and email you may see; ranked snippets with the moment and the deal."""
    from revintel.services.calls import audited_search

    user = _user(persona)
    out = audited_search(
        runtime(),
        user,
        user.scope,
        query,
        account=account,
        deal=deal,
        since=_since(since),
        speaker=speaker,
        limit=limit,
        target="cli:calls search",
    )

    def render(o: dict[str, Any]) -> None:
        t = Table(
            "when", "account", "deal", "speaker", "at", "snippet", title=f"Calls matching {o['query']!r}"
        )
        for h in o["results"]:
            t.add_row(
                str(h["occurred_at"])[:10],
                h["account"] or "",
                h["opportunity_id"] or "",
                f"{h['speaker'] or ''} ({h['role']})",
                _clock(h["offset_seconds"]),
                ("[flagged] " if h["flagged"] else "") + h["snippet"],
            )
        console.print(t)
        console.print(f"{len(o['results'])} result(s) from {o['conversations_searched']:,} conversation(s)")

    emit(out, as_json, render)


@calls_app.command("trackers")
def trackers_cmd(
    by: Annotated[
        str | None, typer.Option("--by", help="'conversation': per conversation instead of totals.")
    ] = None,
    account: AccountOpt = None,
    deal: DealOpt = None,
    since: SinceOpt = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Competitors, objections (with who raised them), pricing, risks and next steps found in calls."""
    from revintel.services.calls import audited_trackers

    if by not in (None, "conversation"):
        raise InvalidRequest(f"cannot group trackers by {by!r}", hint="--by conversation")
    user = _user(persona)
    filters = {"account": account, "deal": deal, "since": _since(since)}
    out = audited_trackers(runtime(), user, user.scope, by=by, target="cli:calls trackers", **filters)
    emit(out, as_json, _render_by_conversation if by == "conversation" else _render_trackers)


def _render_trackers(o: dict[str, Any]) -> None:
    console.print(f"[bold]Trackers over {o['conversations']:,} conversation(s)[/]")
    for key, title in (
        ("competitors", "Competitors"),
        ("objections", "Objections"),
        ("risks", "Risks"),
        ("next_steps", "Next steps"),
        ("smart", "Smart trackers"),
    ):
        if not o[key]:
            continue
        t = Table("tracker", "conversations", "mentions", "said by", title=title)
        for r in o[key]:
            t.add_row(
                r["label"],
                f"{r['conversations']:,}",
                f"{r['mentions']:,}",
                ", ".join(f"{k} {v}" for k, v in sorted(r["by_role"].items())),
            )
        console.print(t)
    for p in o["pricing"]:
        console.print(
            f"pricing {p['currency']}: {p['mentions']} mention(s), {p['min']:,.0f} to {p['max']:,.0f}"
        )


def _render_by_conversation(o: dict[str, Any]) -> None:
    t = Table(
        "conversation", "account", "competitors", "objections", "pricing", title="Trackers by conversation"
    )
    for c in o["conversations"][:200]:
        t.add_row(
            c["conversation_id"],
            c["account"] or "",
            ", ".join(c["competitors"]),
            ", ".join(f"{x['category']} ({x['role']})" for x in c["objections"]),
            ", ".join(f"{p['amount']:,.0f} {p['currency']}" for p in c["pricing"]),
        )
    console.print(t)


@calls_app.command("stats")
def stats_cmd(
    account: AccountOpt = None,
    deal: DealOpt = None,
    since: SinceOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="How many calls to list.")] = 20,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Talk ratio, longest monologue, questions, interactivity, customer sentiment and next steps per call."""
    from revintel.services.calls import audited_stats

    user = _user(persona)
    out = audited_stats(
        runtime(),
        user,
        user.scope,
        account=account,
        deal=deal,
        since=_since(since),
        limit=limit,
        target="cli:calls stats",
    )

    def render(o: dict[str, Any]) -> None:
        t = Table(
            "when",
            "account",
            "talk ratio",
            "monologue",
            "questions",
            "interactivity",
            "sentiment",
            "next step",
            title=f"Call statistics ({o['conversations']:,} conversations)",
        )
        for c in o["calls"]:
            t.add_row(
                str(c["occurred_at"])[:10],
                c["account"] or "",
                "" if c["talk_ratio"] is None else f"{c['talk_ratio']:.0%}",
                _clock(c["longest_monologue_seconds"]),
                str(c["questions_rep"]),
                "" if c["interactivity"] is None else f"{c['interactivity']:.1f}",
                "" if c["customer_sentiment"] is None else f"{c['customer_sentiment']:+.2f}",
                "yes" if c["next_step"] else "no",
            )
        console.print(t)

    emit(out, as_json, render)


@calls_app.command("competitors")
def competitors_cmd(
    since: SinceOpt = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Competitor heatmap (per 100 calls by region x industry x quarter), win rates with/without each
    competitor, objections by stage, price points and feature gaps."""
    from revintel.services.calls import audited_competitors

    user = _user(persona)
    out = audited_competitors(
        runtime(), user, user.scope, since=_since(since), target="cli:calls competitors"
    )

    def render(o: dict[str, Any]) -> None:
        t = Table(
            "competitor", "region", "quarter", "calls", "per 100", "change", title="Mentions per 100 calls"
        )
        latest = max((r["quarter"] for r in o["by_region"]), default=None)
        for r in o["by_region"]:
            if r["quarter"] == latest:
                change = "" if r["change"] is None else f"{r['change']:+.1f}"
                t.add_row(
                    r["competitor"], r["region"], r["quarter"], str(r["calls"]), f"{r['per_100']:.1f}", change
                )
        console.print(t)
        w = Table(
            "competitor", "win rate with", "win rate without", title="Win rate when a competitor is named"
        )
        for r in o["win_rates"]:
            a, b = r["with"], r["without"]
            w.add_row(
                r["competitor"],
                ""
                if a["win_rate"] is None
                else f"{a['win_rate']:.0%} [{a['ci_low']:.0%}-{a['ci_high']:.0%}] n={a['deals']}",
                ""
                if b["win_rate"] is None
                else f"{b['win_rate']:.0%} [{b['ci_low']:.0%}-{b['ci_high']:.0%}] n={b['deals']}",
            )
        console.print(w)
        for s in o["surges"]:
            console.print(
                f"[bold]surge[/]: {s['competitor']} in {s['region']} {s['quarter']}: "
                f"{s['per_100']:.1f} per 100 calls ({s['change']:+.1f})"
            )

    emit(out, as_json, render)


@calls_app.command("copilot")
def copilot_cmd(
    question: Annotated[
        str,
        typer.Argument(
            help="e.g. 'Summarize the last 5 calls', 'What objections did the customer raise?', "
            "'What are the next best actions?', 'Draft a follow-up email in an executive tone'."
        ),
    ],
    deal: DealOpt = None,
    account: AccountOpt = None,
    last: Annotated[
        int | None, typer.Option("--last", help="How many of the latest calls (default 5).")
    ] = None,
    tone: Annotated[
        str | None, typer.Option("--tone", help="Email tone: executive, friendly or concise.")
    ] = None,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="Let the configured OpenAI-compatible LLM rewrite the email (kept only if grounded).",
        ),
    ] = False,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The deal copilot: call summaries, objections, next best actions and follow-up emails, cited."""
    from revintel.services.calls import audited_copilot

    user = _user(persona)
    out = audited_copilot(
        runtime(),
        user,
        user.scope,
        question,
        deal=deal,
        account=account,
        n=last,
        tone=tone,
        use_llm=llm,
        target="cli:calls copilot",
    )

    def render(o: dict[str, Any]) -> None:
        if o.get("abstained"):
            console.print(f"[yellow]No answer:[/] {o['result']['reason']}")
            return
        console.print(o["answer"], highlight=False)
        for note in o.get("notes", []):
            console.print(f"[dim]{note}[/]")
        cites = _citations(o)
        for c in cites[:12]:
            console.print(
                f"  [dim]{c['id']} {c['date']} {c['at']} {c['speaker']}: {c['text']}[/]", highlight=False
            )

    emit(out, as_json, render)


def _citations(o: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if {"id", "conversation_id", "at", "text"} <= set(v):
                if v["id"] not in {c["id"] for c in found}:
                    found.append(v)
                return
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(o.get("result"))
    return found
