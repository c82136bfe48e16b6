"""``revintel customers train|risk|show|expansion|retention|export|alerts``: churn, health and expansion."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel import format as fmt
from revintel.cli.app import JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.cli.progress import working
from revintel.scope import Scope, get_persona

customers_app = typer.Typer(
    help="Customer health, churn risk at renewal and expansion.", no_args_is_help=True
)
app.add_typer(customers_app, name="customers")

DaysOpt = Annotated[int, typer.Option("--days", min=1, help="Renewals in the next N days.")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="How many customers to list.")]


def _scope(persona: str | None) -> Scope:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    return get_persona(persona or "ceo", path).scope


def _metrics_row(t: Table, name: str, m: dict[str, Any]) -> None:
    cells = [m.get(k) for k in ("auc", "brier", "base_rate_brier", "ece", "top_decile_lift")]
    t.add_row(name, *["" if v is None else f"{v:.3f}" for v in cells])


@customers_app.command("train")
def train_cmd(as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """Train the churn model: leakage audit, test AUC, Brier, ECE and top-decile lift beside baselines."""
    from revintel.customers import churn, scoring
    from revintel.customers.data import load_frames

    _scope(persona)  # checks the persona; training is a system job over every customer
    rt = runtime()
    with working("Training the churn model", not as_json):
        model = churn.train(load_frames(rt, Scope.everything()))
    churn.save(rt, model)
    scoring.forget(rt)
    card = model.card
    out = {
        "dataset": card.get("dataset"),
        "as_of": card.get("as_of"),
        "protocol": card["protocol"],
        "windows": card["windows"],
        **{
            k: card["test"].get(k)
            for k in (
                "auc",
                "brier",
                "base_rate_brier",
                "ece",
                "top_decile_lift",
                "churn_rate",
                "rows",
                "churn_events",
            )
        },
        "baselines": card["baselines"],
        "leakage": card["leakage"],
        "features": card["features"],
        "reliability": card["test"]["reliability"],
    }
    if "test_at_90_days" in card:
        out["test_at_90_days"] = card["test_at_90_days"]

    def render(o: dict[str, Any]) -> None:
        console.print(f"[bold]Churn model[/] on {o['dataset']} (as of {o['as_of']}): {o['protocol']}")
        t = Table(title=f"Test: {o['rows']} rows, {o['churn_events']} churn events")
        for c in ("", "AUC", "Brier", "base-rate Brier", "ECE", "top-decile lift"):
            t.add_column(c, justify="right" if c else "left")
        _metrics_row(t, "model", o)
        for name, m in o["baselines"].items():
            _metrics_row(t, name.replace("_", " "), m)
        console.print(t)
        for f in o["leakage"]:
            console.print(f"leakage ({f['check']}): {f['feature'] or '-'}: {f['detail']} [{f['action']}]")

    emit(out, as_json, render)


@customers_app.command("risk")
def risk_cmd(
    days: DaysOpt = 90, top: TopOpt = 20, as_json: JsonOpt = False, persona: PersonaOpt = None
) -> None:
    """Renewals in the next N days ranked by ARR at risk = P(churn) x ARR, with the drivers."""
    from revintel.customers.views import risk_list

    out = risk_list(runtime(), _scope(persona), days, top)

    def render(o: dict[str, Any]) -> None:
        t = Table(
            title=f"Renewals in the next {o['days']} days: {o['customers']} customers, "
            f"{fmt.money(o['arr'])} ARR, {fmt.money(o['arr_at_risk'])} at risk"
        )
        for c in ("Account", "Renewal", "ARR", "P(churn)", "At risk", "Health", "Why"):
            t.add_column(c)
        for r in o["renewals"]:
            why = (r["alerts"] + [d["text"] for d in r["drivers"]] + [""])[0]
            t.add_row(
                r["account"] or r["account_id"],
                fmt.date(r["renewal_date"]),
                fmt.money(r["arr"]),
                fmt.percent(r["p_churn"], 0),
                fmt.money(r["arr_at_risk"]),
                str(r["health"]),
                why,
            )
        console.print(t)

    emit(out, as_json, render)


@customers_app.command("show")
def show_cmd(account: str, as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """One customer: contract, health and trend, churn risk with drivers, tickets, calls, next actions."""
    from revintel.customers.views import customer

    out = customer(runtime(), _scope(persona), account)

    def render(o: dict[str, Any]) -> None:
        console.print(
            f"[bold]{o['account']}[/] ({o['account_id']}, {o['region']}): {fmt.money(o['arr'])} ARR, "
            f"renews {fmt.date(o['renewal_date'])}"
        )
        change = (
            ""
            if o["health_change"] is None
            else f" ({o['health_change']:+d} in 90 days, moved by {o['health_moved_by']})"
        )
        console.print(
            f"Health {o['health']}/100{change}; churn risk {fmt.percent(o['p_churn'], 0)}, "
            f"{fmt.money(o['arr_at_risk'])} ARR at risk"
        )
        for d in o["drivers"]["raising"]:
            console.print(f"  + {d['points']:.1f} pts  {d['text']}")
        for d in o["drivers"]["lowering"]:
            console.print(f"  - {-d['points']:.1f} pts  {d['text']}")
        for a in o["actions"]:
            console.print(f"Action: {a['action']} (evidence: {a['evidence']})")

    emit(out, as_json, render)


@customers_app.command("expansion")
def expansion_cmd(top: TopOpt = 20, as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """Customers by expected expansion ARR in the next two quarters, with whitespace products and evidence."""
    from revintel.customers.expansion import expansion_list

    out = expansion_list(runtime(), _scope(persona), top)

    def render(o: dict[str, Any]) -> None:
        t = Table(title=f"Expansion: {fmt.money(o.get('expected_expansion_arr'))} expected in two quarters")
        for c in ("Account", "ARR", "P(expand)", "Expected", "Idea", "Evidence"):
            t.add_column(c)
        for r in o["customers"]:
            idea = r["whitespace"][0] if r["whitespace"] else None
            t.add_row(
                r["account"] or r["account_id"],
                fmt.money(r["arr"]),
                fmt.percent(r["p_expand"], 0),
                fmt.money(r["expected_expansion_arr"]),
                idea["product"] if idea else "",
                idea["evidence"] if idea else "; ".join(r["evidence"]),
            )
        console.print(t)

    emit(out, as_json, render)


@customers_app.command("retention")
def retention_cmd(as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """Next year's GRR and NRR as P10/P50/P90 by simulation, with the backtest's P10-P90 coverage."""
    from revintel.customers.retention import forecast

    out = forecast(runtime(), _scope(persona))

    def render(o: dict[str, Any]) -> None:
        t = Table(title=f"Retention next 12 months: {o['customers']} customers, {fmt.money(o['arr'])} ARR")
        for c in ("", "P10", "P50", "P90"):
            t.add_column(c)
        for k in ("grr", "nrr"):
            t.add_row(k.upper(), *[fmt.percent(o[k].get(q), 1) for q in ("p10", "p50", "p90")])
        console.print(t)
        b = o.get("backtest")
        if b:
            console.print(
                f"Backtest over {len(b['origins'])} origins: realised GRR inside P10-P90 "
                f"{fmt.percent(b['grr_coverage'], 0)}, NRR {fmt.percent(b['nrr_coverage'], 0)} (80% expected)"
            )

    emit(out, as_json, render)


@customers_app.command("export")
def export_cmd(
    which: Annotated[str, typer.Argument(help="risk (every live customer by ARR at risk) or expansion.")],
    out: Annotated[Path, typer.Option("--out", help="File to write: .csv or .xlsx.")],
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="risk: renewals in the next N days.")
    ] = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Write the at-risk or expansion list (the persona's customers) as CSV or XLSX."""
    from revintel.appdb import audit
    from revintel.customers.views import export_table
    from revintel.errors import InvalidRequest
    from revintel.export.spreadsheet import to_csv, to_xlsx

    suffix = out.suffix.lower().lstrip(".")
    if which not in ("risk", "expansion"):
        raise InvalidRequest(f"no customer list called {which!r}", hint="risk or expansion")
    if suffix not in ("csv", "xlsx"):
        raise InvalidRequest(f"--out {out.name}: expected a .csv or .xlsx file", details={"value": str(out)})
    rt, scope = runtime(), _scope(persona)
    columns, rows = export_table(rt, scope, which, days if which == "risk" else None)
    body = to_csv(columns, rows).encode() if suffix == "csv" else to_xlsx(columns, rows, f"customers {which}")
    out.write_bytes(body)
    audit.audited(
        rt.appdb,
        scope.persona or "cli",
        "export",
        scope=scope,
        target=f"customers/export/{which}.{suffix}",
        detail={"file": str(out), "via": "cli", "days": days},
        rows=len(rows),
    )
    emit(
        {"file": str(out), "list": which, "format": suffix, "rows": len(rows)},
        as_json,
        lambda o: console.print(f"[green]wrote[/] {o['rows']} customers to {o['file']}"),
    )


@customers_app.command("alerts")
def alerts_cmd(
    send: Annotated[bool, typer.Option("--send", help="Deliver each new alert (email/Slack/Teams).")] = False,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="email, slack or teams (default: every configured).")
    ] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="Email recipient (repeatable).")] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Only the N largest by ARR at risk.")
    ] = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Renewal and churn alerts; with --send, each is delivered once per channel and recipient."""
    from revintel.cli.briefs import _channels_to_use
    from revintel.customers.health import churn_alerts
    from revintel.delivery import Target

    rt, scope = runtime(), _scope(persona)
    if send:
        from revintel.briefs.customer_alerts import send as send_alerts

        chosen = _channels_to_use(rt.settings, to or [], channel or [])
        result = send_alerts(
            rt,
            scope,
            chosen,
            Target(email_to=to or []),
            actor=scope.persona or "cli",
            persona=scope.persona,
            top=top,
        )
    else:
        alerts = churn_alerts(rt, scope)["alerts"]
        result = {"alerts": len(alerts), "list": alerts[:top] if top else alerts}

    def render(o: dict[str, Any]) -> None:
        if "deliveries" in o:
            console.print(
                f"{o['alerts']} alerts on {', '.join(o['channels'])}: {o['sent']} sent, "
                f"{o['skipped']} already sent before, {o['failed']} failed"
            )
            for d in o["deliveries"]:
                if d["outcome"] == "failed":
                    console.print(f"[red]{d['channel']} {d['account_id']}: {d['error']}[/]")
            return
        t = Table(title=f"{o['alerts']} customers with churn warning signs")
        for c in ("Account", "ARR", "P(churn)", "At risk", "Renewal", "Why"):
            t.add_column(c)
        for a in o["list"]:
            t.add_row(
                a["account"] or a["account_id"], fmt.money(a["arr"]), fmt.percent(a["p_churn"], 0),
                fmt.money(a["arr_at_risk"]), fmt.date(a["renewal_date"]), a["reason"],
            )  # fmt: skip
        console.print(t)

    emit(result, as_json, render)
