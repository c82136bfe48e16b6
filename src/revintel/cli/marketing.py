"""``revintel attribution ...``: every attribution model side by side, per channel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, PersonaOpt, app, console, emit
from revintel.errors import InvalidRequest

attribution_app = typer.Typer(
    help="Multi-touch attribution: heuristic, Markov and Shapley models side by side.", no_args_is_help=True
)
app.add_typer(attribution_app, name="attribution")

ModelsOpt = Annotated[
    str | None,
    typer.Option("--models", help="Comma-separated model ids (default: all). See docs/marketing.md."),
]
HalfLifeOpt = Annotated[
    float | None,
    typer.Option(
        "--half-life", help="Time-decay half-life: days for timed touches, touches for a paths file."
    ),
]


def _models(text: str | None) -> tuple[str, ...]:
    from revintel.marketing.attribution import MODELS
    from revintel.text import nearest

    if not text:
        return MODELS
    chosen = tuple(m.strip() for m in text.split(",") if m.strip())
    for m in chosen:
        if m not in MODELS:
            near = nearest(m, MODELS)
            raise InvalidRequest(
                f"unknown attribution model {m!r}",
                hint=near or f"choose from {', '.join(MODELS)}",
            )
    return chosen


def render_attribution(o: dict[str, Any]) -> None:
    """A table per channel: conversions credited by each model."""
    table = Table(title=f"Conversions credited per channel ({o['totals']['journeys']:,} journeys)")
    table.add_column("channel")
    for m in o["models"]:
        table.add_column(o["labels"][m], justify="right")
    for row in o["channels"]:
        table.add_row(row["channel"], *(f"{row[m]['conversions']:,.1f}" for m in o["models"]))
    console.print(table)
    for m, note in o["notes"].items():
        console.print(f"[dim]{m}: {note}[/]")


@attribution_app.command("paths")
def paths_cmd(
    file: Annotated[
        Path, typer.Argument(help="A ChannelAttribution-format paths file (path, total_conversions, ...).")
    ],
    models: ModelsOpt = None,
    half_life: HalfLifeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attribute a paths file ("a > b > c" with conversions, value and nulls) under every model."""
    from revintel.marketing.attribution import attribute
    from revintel.marketing.paths import read_paths

    if not file.is_file():
        raise InvalidRequest(f"no such file: {file.name}", hint="Give the path of a paths CSV file.")
    chosen = _models(models)
    journeys = read_paths(file)
    emit(attribute(journeys, chosen, half_life=half_life).to_dict(), as_json, render_attribution)


@attribution_app.command("events")
def events_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="An event log CSV: customer_id, timestamp, channel, interaction, conversion, value."
        ),
    ],
    models: ModelsOpt = None,
    half_life: HalfLifeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attribute an event log (one row per touch or conversion) under every model."""
    from revintel.marketing.attribution import attribute
    from revintel.marketing.eventlog import read_events

    if not file.is_file():
        raise InvalidRequest(f"no such file: {file.name}", hint="Give the path of an event log CSV file.")
    chosen = _models(models)
    journeys = read_events(file)
    emit(attribute(journeys, chosen, half_life=half_life).to_dict(), as_json, render_attribution)


# --- warehouse-backed marketing commands ------------------------------------------------------------
PeriodOpt = Annotated[
    str | None, typer.Option("--period", help="2025, 2025-Q4, last quarter ... (default: this quarter).")
]


def _user(persona: str | None) -> Any:
    from revintel.cli.app import runtime
    from revintel.scope import get_persona
    from revintel.services.identity import User

    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    p = get_persona(persona or "ceo", path)
    return User(id=p.id, name=p.name, role=p.role, scope=p.scope, via="cli")


@attribution_app.command("touchpoints")
def touchpoints_cmd(
    credit: Annotated[
        str, typer.Option("--credit", help="Credit won revenue or created pipeline.")
    ] = "revenue",
    period: Annotated[
        str | None,
        typer.Option("--period", help="Deals closed (revenue) or created (pipeline) in this period."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="channel or campaign.")] = "channel",
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attribute won revenue or pipeline to channels (or campaigns) from the warehouse's touchpoints."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    user = _user(persona)
    out = svc.audited_attribution(
        runtime(), user, user.scope, credit, period, by, "cli:attribution touchpoints"
    )

    def render(o: dict[str, Any]) -> None:
        from revintel import format as fmt

        chart = ("first_touch", "last_touch", "linear", "position_based", "w_shaped", "markov_1", "shapley")
        shown = [m for m in chart
                 if m in o["models"]]  # fmt: skip
        t = Table(title=f"{credit.title()} credited per {by} ({o['period']})")
        t.add_column(by)
        for m in shown:
            t.add_column(o["labels"][m], justify="right")
        for r in o["channels"]:
            t.add_row(r["channel"], *(fmt.money(r[m][credit]) for m in shown))
        console.print(t)
        j = o["journeys"]
        console.print(
            f"[dim]{j['deals_touched']} of {j['deals']} deals had a touch; --json has every model[/]"
        )

    emit(out, as_json, render)


@app.command("funnel")
def funnel_cmd(
    period: PeriodOpt = None,
    by: Annotated[
        str | None, typer.Option("--by", help="region, channel, campaign, tier or lead_source.")
    ] = None,
    why: Annotated[bool, typer.Option("--why", help="Also say which region is dropping and why.")] = False,
    against: Annotated[
        str, typer.Option("--against", help="previous or prior_year (for --why).")
    ] = "previous",
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The funnel Lead -> MQL -> SQL -> Opportunity -> Won against the previous period and prior year."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    if against not in ("previous", "prior_year"):
        raise InvalidRequest(f"cannot compare against {against!r}", hint="choose previous or prior_year")
    rt, user = runtime(), _user(persona)
    out = svc.audited_funnel(rt, user, user.scope, period, by, "cli:funnel")
    if why:
        out["why"] = svc.audited_dropping(rt, user, user.scope, period, against, "cli:funnel --why")

    def render(o: dict[str, Any]) -> None:
        from revintel import format as fmt

        t = Table(title=f"Funnel {o['current']['window']['label']}")
        for c in ("group", "leads", "MQLs", "SQLs", "opps", "won", "lead->MQL", "end-to-end", "prev", "PY"):
            t.add_column(c, justify="left" if c == "group" else "right")
        prev = {r["group"]: r for r in o["previous"]["rows"]}
        py = {r["group"]: r for r in o["prior_year"]["rows"]}
        for r in o["current"]["rows"]:
            t.add_row(r["group"], *(fmt.count(r[k]) for k in ("lead", "mql", "sql", "opportunity", "won")),
                      fmt.percent(r["lead_to_mql"]), fmt.percent(r["end_to_end"]),
                      fmt.percent(prev.get(r["group"], {}).get("end_to_end")),
                      fmt.percent(py.get(r["group"], {}).get("end_to_end")))  # fmt: skip
        console.print(t)
        w = o.get("why")
        if w and w.get("dropping"):
            d = w["dropping"]
            console.print(f"[bold]{d['group']}[/] is dropping most; stage: {d['stage']}")
            for m in d["mix_vs_rate"]:
                console.print(f"  by {m['dimension']}: mix {fmt.points(m['mix_effect'])}, "
                              f"rate {fmt.points(m['rate_effect'])}")  # fmt: skip

    emit(out, as_json, render)


@app.command("campaigns")
def campaigns_cmd(
    period: Annotated[
        str | None, typer.Option("--period", help="Deals created / won in this period (default: all time).")
    ] = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Campaign influence and ROI: sourced vs influenced pipeline and won revenue, cost per lead/MQL/deal."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    user = _user(persona)
    out = svc.audited_campaigns(runtime(), user, user.scope, period, "cli:campaigns")

    def render(o: dict[str, Any]) -> None:
        from revintel import format as fmt

        t = Table(title=f"Campaigns ({o['period']})")
        for c in (
            "campaign",
            "sourced pipeline",
            "influenced pipeline",
            "sourced won",
            "influenced won",
            "cost",
            "ROI sourced",
            "ROI Markov",
        ):
            t.add_column(c, justify="left" if c == "campaign" else "right")
        for r in o["campaigns"]:
            t.add_row(r["name"], fmt.money(r["sourced_pipeline"]), fmt.money(r["influenced_pipeline"]),
                      fmt.money(r["sourced_won"]), fmt.money(r["influenced_won"]), fmt.money(r["cost"]),
                      fmt.percent(r["roi_sourced"]), fmt.percent(r.get("markov_1_roi")))  # fmt: skip
        console.print(t)

    emit(out, as_json, render)


@app.command("alerts")
def alerts_cmd(
    send: Annotated[
        bool, typer.Option("--send", help="Deliver new alerts on every configured channel.")
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Email recipient for --send (repeatable).")
    ] = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pipeline anomaly alerts: drops in pipeline creation, conversion and slippage by region and segment."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    rt, user = runtime(), _user(persona)
    out = svc.audited_alerts(rt, user, user.scope, "cli:alerts")
    if send:
        out["deliveries"] = svc.send_alerts(rt, user, out, to or [])

    def render(o: dict[str, Any]) -> None:
        from revintel.marketing.brief import alert_item

        if not o["alerts"]:
            console.print(f"No alerts as of {o['as_of']}.")
        for a in o["alerts"]:
            item = alert_item(a)
            console.print(f"[bold red]{item.title}[/]\n  {item.text}")
        for d in o.get("deliveries", []):
            console.print(f"[dim]{d['alert']} via {d['channel']}: {d['outcome']}[/]")

    emit(out, as_json, render)


marketing_app = typer.Typer(help="Marketing outlook and acceleration.", no_args_is_help=True)
app.add_typer(marketing_app, name="marketing")


@marketing_app.command("outlook")
def outlook_cmd(persona: PersonaOpt = None, as_json: JsonOpt = False) -> None:
    """Pipeline and revenue expected from marketing next quarter (P10/P50/P90) and its backtest."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    user = _user(persona)
    out = svc.audited_outlook(runtime(), user, user.scope, "cli:marketing outlook")

    def render(o: dict[str, Any]) -> None:
        from revintel import format as fmt

        p = o["pipeline"]
        console.print(f"Expected marketing pipeline next quarter: {fmt.money(p['expected'])} "
                      f"(P10 {fmt.money(p['p10'])}, P90 {fmt.money(p['p90'])})")  # fmt: skip
        for b in o["backtest"]:
            console.print(f"  as of {b['as_of']}: expected {fmt.money(b['expected_pipeline'])}, "
                          f"actual {fmt.money(b['actual_pipeline'])}, "
                          f"naive {fmt.money(b['naive_pipeline'])}")  # fmt: skip

    emit(out, as_json, render)


@marketing_app.command("acceleration")
def acceleration_cmd(
    by: Annotated[str, typer.Option("--by", help="channel or campaign.")] = "channel",
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Win rate and cycle time of touched deals vs matched untouched deals, with bootstrap intervals."""
    from revintel.cli.app import runtime
    from revintel.services import marketing as svc

    user = _user(persona)
    out = svc.audited_acceleration(runtime(), user, user.scope, by, "cli:marketing acceleration")

    def render(o: dict[str, Any]) -> None:
        from revintel import format as fmt

        t = Table(title=f"Acceleration by {o['by']}")
        for c in ("touch", "touched", "win rate effect", "verdict", "cycle days effect", "verdict "):
            t.add_column(c)
        for r in o["rows"]:
            w, c = r["win_rate"], r["cycle_days"]
            t.add_row(r["touch"], fmt.count(r["touched_deals"]), fmt.points(w["effect"]), w["verdict"],
                      fmt.days(c["effect"]), c["verdict"])  # fmt: skip
        console.print(t)

    emit(out, as_json, render)
