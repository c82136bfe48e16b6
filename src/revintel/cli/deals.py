"""``revintel deals ...``, ``revintel forecast [backtest]`` and ``revintel pipeline changes``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel import format as fmt_mod
from revintel.cli.app import ISO_DATE, AsOfOpt, JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.cli.progress import working
from revintel.scope import Scope, get_persona

deals_app = typer.Typer(help="Win probability, risk and drivers of open deals.", no_args_is_help=True)
forecast_app = typer.Typer(help="Revenue forecast (P10/P50/P90) and its backtest.")
pipeline_app = typer.Typer(help="Pipeline change tracking and slippage.", no_args_is_help=True)
app.add_typer(deals_app, name="deals")
app.add_typer(forecast_app, name="forecast")
app.add_typer(pipeline_app, name="pipeline")

METRICS = ("auc", "auc_closed", "brier", "base_rate_brier", "prevalence_brier", "log_loss", "ece", "win_rate")


def _scope(persona: str | None) -> Scope:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    return get_persona(persona or "ceo", path).scope


def _money(v: float | None) -> str:
    return fmt_mod.money(v, none="")


def _num(v: Any) -> str:
    return "" if v is None or not isinstance(v, int | float) or v != v else f"{v:.3f}"


def _pct(v: float | None) -> str:
    return fmt_mod.percent(v, 0, none="")


@deals_app.command("train")
def train_cmd(as_of: AsOfOpt = None, as_json: JsonOpt = False, persona: PersonaOpt = None) -> None:
    """Train the win model as of a date: leakage audit, test-window metrics beside baselines, forward test."""
    from revintel.deals import model

    _scope(persona)  # checks the persona exists; training itself is a system job over all deals
    with working("Training the win model", not as_json):
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
        "n_calibration": c.n_calibration,
        "n_censored": c.n_censored,
        "label_horizon_days": c.label_horizon_days,
        "features": c.features,
        "leakage": c.leakage,
        "baselines": c.baselines,
        "selected": c.selected,
        "forward": c.forward,
        "reliability": c.metrics["reliability"],
        "history": c.history,
    }

    def render(o: dict[str, Any]) -> None:
        console.print(
            f"[bold]Win model {o['version']}[/] (as of {o['as_of']}, {o['calibration']} calibration)"
        )
        t = Table(title=f"Test window from {o['data_window']['test_start']} ({o['n_test']} rows)")
        cols = ("auc", "auc_closed", "brier", "ece", "log_loss")
        t.add_column("")
        for k in cols:
            t.add_column(k, justify="right")
        t.add_row("model", *[_num(o.get(k)) for k in cols])
        for name, b in o["baselines"].items():
            if isinstance(b, dict):
                t.add_row(name, *[_num(b.get(k)) for k in cols])
        console.print(t)
        console.print(f"  base-rate Brier (test prevalence) {_num(o['base_rate_brier'])}")
        if o["selected"] != "model":
            console.print(
                f"  [bold]The model does not beat the {o['selected']} baseline; forecasts use it.[/]"
            )
        for f in o["leakage"]:
            console.print(
                f"  leak masked: {f['detail']} (dropped {', '.join(f['dropped']) or 'nothing more'})"
            )
        console.print(
            f"  n_train {o['n_train']}, n_calibration {o['n_calibration']}, n_censored {o['n_censored']}"
        )

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
    """Open deals ranked by value at risk this quarter, with expected loss, drivers and next actions."""
    from revintel.deals.risk import risk_list

    with working("Scoring open deals", not as_json):
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
    if o.get("weekly"):
        w = Table(title="Week by week, cumulative (the last week is the period)")
        for c in ("week ending", "expected", "P10", "P50", "P90", "actual"):
            w.add_column(c, justify="left" if c == "week ending" else "right")
        for p in o["weekly"]:
            w.add_row(
                fmt_mod.date(p["week_end"]),
                _money(p["expected"]),
                _money(p["p10"]),
                _money(p["p50"]),
                _money(p["p90"]),
                _money(p["actual"]),
            )
        console.print(w)


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
    from revintel.forecast import bands
    from revintel.forecast.rollup import forecast

    rt, scope = runtime(), _scope(persona)
    day = _as_date(as_of) or rt.as_of()
    if bands.pending(rt, scope, day):
        with working("Calibrating ranges on 8 past quarters", not as_json):  # once per data load
            bands.calibrated(rt, scope, day)
    with working(f"Simulating {scenarios:,} scenarios", not as_json):
        out = forecast(rt, scope, period, by, day, scenarios, seed, weekly=True).to_dict()
    emit(out, as_json, _render_forecast)


@forecast_app.command("backtest")
def backtest_cmd(
    periods: Annotated[int, typer.Option(help="Past quarters to replay (as many as history allows).")] = 8,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """Replay past quarters: coverage, PIT, CRPS and interval score beside naive forecasts."""
    from revintel.forecast.backtest import backtest

    with working(f"Replaying {periods} past quarters", not as_json):
        out = backtest(runtime(), _scope(persona), periods, _as_date(as_of))

    def render(o: dict[str, Any]) -> None:
        t = Table(
            title=f"Backtest as of {o['as_of']}: {o['periods']} quarters, P10-P90 coverage "
            f"{_pct(o['coverage_p10_p90'])}, MAPE P50 {_pct(o['mape_p50'])}"
        )
        for c in (
            "period",
            "P10",
            "P50",
            "P90",
            "actual",
            "in range",
            "PIT",
            "CRPS",
            "CRM-weighted",
            "last qtr",
        ):
            t.add_column(c, justify="left" if c == "period" else "right")
        for r in o["rows"]:
            t.add_row(
                r["period"],
                _money(r["p10"]),
                _money(r["p50"]),
                _money(r["p90"]),
                _money(r["actual"]),
                "yes" if r["covered"] else "no",
                f"{r['pit']:.2f}",
                _money(r["crps"]),
                _money(r["naive"]["crm_weighted_pipeline"]),
                _money(r["naive"]["last_quarter_actual"]),
            )
        console.print(t)
        if o["periods"]:
            console.print(f"  mean CRPS {_money(o['crps'])}, interval score {_money(o['interval_score'])}")
            for name, b in o["baselines"].items():
                if b:
                    console.print(f"  naive {name}: MAPE {_pct(b['mape'])}, CRPS {_money(b['crps'])}")
        for s in o["skipped"]:
            console.print(f"  skipped {s['period']}: {s['reason']}")

    emit(out, as_json, render)


@pipeline_app.command("changes")
def changes_cmd(
    from_: Annotated[dt.datetime, typer.Option("--from", **ISO_DATE, help="Start date.")],
    to: Annotated[dt.datetime, typer.Option("--to", **ISO_DATE, help="End date.")],
    by: Annotated[str | None, typer.Option(help="Break down by region, rep, team, product ...")] = None,
    horizon: Annotated[
        dt.datetime | None,
        typer.Option(
            **ISO_DATE,
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
