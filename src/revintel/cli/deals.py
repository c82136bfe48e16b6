"""``revintel deals ...``, ``revintel forecast [backtest]`` and ``revintel pipeline changes``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import AsOfOpt, JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.scope import Scope, get_persona

deals_app = typer.Typer(help="Win probability, risk and drivers of open deals.", no_args_is_help=True)
forecast_app = typer.Typer(help="Revenue forecast (P10/P50/P90) and its backtest.")
pipeline_app = typer.Typer(help="Pipeline change tracking and slippage.", no_args_is_help=True)
app.add_typer(deals_app, name="deals")
app.add_typer(forecast_app, name="forecast")
app.add_typer(pipeline_app, name="pipeline")

METRICS = ("auc", "brier", "base_rate_brier", "prevalence_brier", "log_loss", "ece", "win_rate")


def _scope(persona: str | None) -> Scope:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    return get_persona(persona or "ceo", path).scope


def _money(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.0%}"


@deals_app.command("train")
def train_cmd(as_of: AsOfOpt = None, as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """Train the win model as of a date; print its held-out metrics (auc, brier, base_rate_brier, ece)."""
    from revintel.deals import model

    _scope(persona)  # checks the persona exists; training itself is a system job over all deals
    m = model.train(runtime(), as_of.date() if isinstance(as_of, dt.datetime) else as_of)
    c = m.card
    out = {
        "version": c.version,
        "as_of": c.as_of,
        "calibration": c.calibration,
        **{k: c.metrics.get(k) for k in METRICS},
        "period_shock_sd": c.period_shock_sd,
        "n_train": c.n_train,
        "n_test": c.n_test,
        "data_window": c.data_window,
        "reliability": c.metrics["reliability"],
        "history": c.history,
    }

    def render(o: dict[str, Any]) -> None:
        console.print(
            f"[bold]Win model {o['version']}[/] (as of {o['as_of']}, {o['calibration']} calibration)"
        )
        for k in ("auc", "brier", "base_rate_brier", "log_loss", "ece"):
            console.print(f"  {k:<16} {o[k]:.4f}")
        console.print(f"  n_train          {o['n_train']}\n  n_test           {o['n_test']}")

    emit(out, as_json, render)


def _as_date(v: dt.date | dt.datetime | None) -> dt.date | None:
    return v.date() if isinstance(v, dt.datetime) else v


@deals_app.command("risk")
def risk_cmd(
    top: Annotated[int, typer.Option("--top", help="How many deals to list.")] = 20,
    region: Annotated[str | None, typer.Option(help="Only this region.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    rep: Annotated[str | None, typer.Option(help="Only this rep.")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Open deals ranked by expected loss (risk x value), with drivers and next actions."""
    from revintel.deals.risk import risk_list

    out = risk_list(
        runtime(), _scope(persona), _as_date(as_of), top, {"region": region, "stage": stage, "rep": rep}
    )

    def render(o: dict[str, Any]) -> None:
        t = Table(title=f"Deals at risk as of {o['as_of']} ({o['count']} open)")
        for c in (
            "deal",
            "account",
            "rep",
            "region",
            "stage",
            "amount",
            "p_win",
            "risk",
            "exp. loss",
            "top risk",
        ):
            t.add_column(c, justify="right" if c in ("amount", "p_win", "risk", "exp. loss") else "left")
        for d in o["deals"]:
            neg = (d.get("drivers") or {}).get("negative") or [{}]
            t.add_row(
                d["opportunity_id"],
                d["account"] or "",
                d["rep"] or "",
                d["region"] or "",
                d["stage"] or "",
                _money(d["amount"]),
                _pct(d["p_win"]),
                f"{d['risk']:.0f}",
                _money(d["expected_loss"]),
                neg[0].get("text", ""),
            )
        console.print(t)

    emit(out, as_json, render)


@deals_app.command("show")
def show_cmd(
    deal_id: str, as_of: AsOfOpt = None, as_json: JsonOpt = False, persona: PersonaOpt = None
) -> None:
    """One deal: win probability, risk, drivers, next actions, time to close and timeline."""
    from revintel.deals.detail import deal_detail

    out = deal_detail(runtime(), _scope(persona), deal_id, _as_date(as_of))

    def render(o: dict[str, Any]) -> None:
        console.print(
            f"[bold]{o['opportunity_id']} {o['name'] or ''}[/] — {o['account'] or ''}, {o['rep'] or ''}"
        )
        console.print(f"  {o['stage']}, amount {_money(o['amount'])}, close date {o['close_date']}")
        if not o["open"]:
            console.print(f"  not open on {o['as_of']} (status {o['status']})")
            return
        console.print(f"  win probability {_pct(o['p_win'])}, risk {o['risk']:.0f}/100")
        ttc = o["time_to_close"]
        console.print(f"  likely close (if won): P10 {ttc['p10']}, P50 {ttc['p50']}, P90 {ttc['p90']}")
        for sign in ("positive", "negative"):
            for d in o["drivers"][sign]:
                console.print(
                    f"  {'+' if sign == 'positive' else '-'} {d['text']} ({d['effect'] * 100:+.1f} pts)"
                )
        for a in o["next_actions"]:
            console.print(f"  -> {a['action']}")

    emit(out, as_json, render)


def _render_forecast(o: dict[str, Any]) -> None:
    t = Table(title=f"Forecast {o['period']['label']} as of {o['as_of']}")
    for c in ("", "deals", "won", "expected", "P10", "P50", "P90", "quota", "gap", "commit", "best case"):
        t.add_column(c, justify="left" if c == "" else "right")
    rows = o["rows"] + ([o["total"]] if o["by"] else [])
    for r in rows:
        t.add_row(
            r["key"],
            str(r["deals"]),
            _money(r["won_to_date"]),
            _money(r["expected"]),
            _money(r["p10"]),
            _money(r["p50"]),
            _money(r["p90"]),
            _money(r["quota"]),
            _money(r["gap_to_quota"]),
            _money(r["commit"]),
            _money(r["best_case"]),
        )
    console.print(t)


@forecast_app.callback(invoke_without_command=True)
def forecast_cmd(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(
            help="Period, e.g. 2026-Q1, next quarter (default: the quarter in progress after the as-of date)."
        ),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Break down by region, rep, team, product ...")] = None,
    scenarios: Annotated[int, typer.Option(help="Monte Carlo scenarios.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Revenue forecast for a period: P10/P50/P90, expected, quota and submitted calls."""
    if ctx.invoked_subcommand is not None:
        return
    from revintel.forecast.rollup import forecast

    out = forecast(runtime(), _scope(persona), period, by, _as_date(as_of), scenarios, seed).to_dict()
    emit(out, as_json, _render_forecast)


@forecast_app.command("backtest")
def backtest_cmd(
    periods: Annotated[int, typer.Option(help="How many past quarters to replay.")] = 4,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Replay past quarters: P10-P90 coverage, P50 error, Brier and calibration per period."""
    from revintel.forecast.backtest import backtest

    out = backtest(runtime(), _scope(persona), periods, _as_date(as_of))

    def render(o: dict[str, Any]) -> None:
        t = Table(
            title=f"Backtest as of {o['as_of']}: coverage P10-P90 {_pct(o['coverage_p10_p90'])}, "
            f"MAPE P50 {_pct(o['mape_p50'])}"
        )
        for c in ("period", "deals", "P10", "P50", "P90", "actual", "in range", "brier", "base brier", "ece"):
            t.add_column(c, justify="left" if c == "period" else "right")
        for r in o["rows"]:
            t.add_row(
                r["period"],
                str(r["deals"]),
                _money(r["p10"]),
                _money(r["p50"]),
                _money(r["p90"]),
                _money(r["actual"]),
                "yes" if r["covered"] else "no",
                f"{r['brier']:.3f}",
                f"{r['base_rate_brier']:.3f}",
                f"{r['ece']:.3f}",
            )
        console.print(t)
        for s in o["skipped"]:
            console.print(f"  skipped {s['period']}: {s['reason']}")

    emit(out, as_json, render)


@pipeline_app.command("changes")
def changes_cmd(
    from_: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="Start date.")],
    to: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="End date.")],
    by: Annotated[str | None, typer.Option(help="Break down by region, rep, team, product ...")] = None,
    horizon: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=("Pipeline = open deals closing on or before this date (default: end of the next quarter)."),
        ),
    ] = None,
    min_pushes: Annotated[int, typer.Option(help="Alert on deals pushed at least this many times.")] = 2,
    min_days: Annotated[int, typer.Option(help="Alert on deals pushed by at least this many days.")] = 30,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Pipeline waterfall between two dates (it reconciles) and slippage alerts."""
    from revintel.forecast.changes import STEPS, pipeline_changes

    out = pipeline_changes(
        runtime(),
        _scope(persona),
        from_.date(),
        to.date(),
        by,
        horizon.date() if horizon else None,
        min_pushes,
        min_days,
    )

    def render(o: dict[str, Any]) -> None:
        t = Table(title=f"Pipeline changes {o['from']} -> {o['to']} (closing by {o['horizon']})")
        t.add_column("")
        for s in STEPS:
            t.add_column(s.replace("_", " "), justify="right")
        for r in o["rows"] + ([o["total"]] if o["by"] else []):
            t.add_row(r["key"], *[_money(r[s]) for s in STEPS])
        console.print(t)
        a = o["alerts"]
        console.print(f"{a['count']} deal(s) pushed >= {a['min_pushes']} times or >= {a['min_days']} days")
        for d in a["deals"][:15]:
            console.print(
                f"  {d['opportunity_id']} {d['region'] or ''} {_money(d['amount'])}: "
                f"{d['pushes']} pushes, {d['days_pushed']} days"
            )

    emit(out, as_json, render)
