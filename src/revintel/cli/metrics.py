"""``revintel metrics``, ``revintel kpis``, ``revintel kpi METRIC`` and ``revintel query METRIC``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel import format as fmt_mod
from revintel.cli.app import JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.cli.tables import paint, sparkline
from revintel.errors import InvalidRequest
from revintel.scope import Scope, get_persona

PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period", help="2025, 2025-12, 2025-Q4, FY2025, YTD, QTD, last quarter, last 12 months ..."
    ),
]


def _scope(persona: str | None) -> Scope:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    return get_persona(persona or "ceo", path).scope


def fmt(value: Any, unit: str) -> str:
    """A value formatted for people by its unit (:func:`revintel.format.value`)."""
    return fmt_mod.value(value, unit)


@app.command("metrics")
def metrics_cmd(
    as_json: JsonOpt = False,
    check: Annotated[Path | None, typer.Option("--check", help="Validate a user metrics YAML file.")] = None,
    write_docs: Annotated[
        Path | None,
        typer.Option("--write-docs", help="Write the catalogue reference (docs/metrics.md) here."),
    ] = None,
) -> None:
    """List the governed metrics and dimensions (or check a metrics file, or write docs/metrics.md)."""
    from revintel.semantic import check_metrics_file, docs

    if check is not None:
        cat = check_metrics_file(check)
        emit(
            {"file": str(check), "ok": True, "metrics": len(cat.metrics)},
            as_json,
            lambda o: console.print(f"{o['file']}: ok ({o['metrics']} metrics in the merged catalogue)"),
        )
        return
    cat = runtime().catalogue
    if write_docs is not None:
        docs.write(cat, write_docs)
        emit({"written": str(write_docs)}, as_json, lambda o: console.print(f"wrote {o['written']}"))
        return

    def render(o: dict[str, Any]) -> None:
        t = Table("metric", "label", "domain", "unit", "better", "description", title="Metrics")
        for m in o["metrics"]:
            t.add_row(m["id"], m["label"], m["domain"], m["unit"], m["direction"], m["description"])
        console.print(t)
        console.print("Dimensions: " + ", ".join(d["id"] for d in o["dimensions"]))
        for p in o.get("problems", []):
            console.print(f"[yellow]metrics file problem:[/] {p['file']}:{p['line']}: {p['message']}")

    out = cat.to_dict()
    out["problems"] = [p.to_dict() for p in cat.problems]
    emit(out, as_json, render)


@app.command("kpis")
def kpis_cmd(period: PeriodOpt = None, persona: PersonaOpt = None, as_json: JsonOpt = False) -> None:
    """Headline KPIs: value vs budget and prior year, status and a 12-month sparkline."""
    rt = runtime()
    scope = _scope(persona)
    p = rt.kpis.resolve_period(period)
    cards = rt.kpis.summary(scope, p)
    out = {"period": p.to_dict(), "scope": scope.to_dict(), "cards": [c.to_dict() for c in cards]}

    def render(o: dict[str, Any]) -> None:
        t = Table(
            "KPI",
            "value",
            "budget",
            "vs budget",
            "PY",
            "vs PY",
            "12 months",
            title=f"KPIs — {o['period']['label']} ({o['scope']['description']})",
        )
        for c in o["cards"]:
            u = c["unit"]
            t.add_row(
                c["label"],
                fmt(c["value"], u),
                fmt(c["budget"], u),
                paint(fmt_mod.variance_short(c["var_budget"], c["var_budget_pct"], u), c["status_budget"]),
                fmt(c["prior_year"], u),
                paint(fmt_mod.variance_short(c["var_py"], c["var_py_pct"], u), c["status_py"]),
                sparkline([pt["value"] for pt in c["sparkline"]]),
            )
        console.print(t)

    emit(out, as_json, render)


@app.command("kpi")
def kpi_cmd(
    metric: Annotated[str, typer.Argument(help="Metric id, e.g. chargeable_hours.")],
    period: PeriodOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Break down by this dimension.")] = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Drill into one KPI: monthly trend vs budget and PY, breakdown, YTD bridge, definition and SQL."""
    out = runtime().kpis.detail(metric, _scope(persona), period, by)

    def render(o: dict[str, Any]) -> None:
        u = o["unit"]
        trend = sparkline([r["value"] for r in o["trend"]])
        value = fmt(o["card"]["value"], u)
        console.print(f"[bold]{o['label']}[/] — {o['period']['label']}: {value}  {trend}")
        t = Table("month", "value", "budget", "prior year", title="Trend")
        for r in o["trend"]:
            t.add_row(r["month"], fmt(r["value"], u), fmt(r["budget"], u), fmt(r["prior_year"], u))
        console.print(t)
        if o["breakdown"]:
            b = Table(o["by"], "value", "budget", "prior year", title=f"By {o['by']}")
            for r in o["breakdown"]:
                b.add_row(str(r[o["by"]]), fmt(r["value"], u), fmt(r["budget"], u), fmt(r["prior_year"], u))
            console.print(b)

    emit(out, as_json, render)


def _parse_where(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            raise InvalidRequest(f"--where {item!r} is not DIM=VALUE", hint="e.g. --where region=EMEA")
        dim, value = item.split("=", 1)
        out.setdefault(dim.strip(), []).extend(v.strip() for v in value.split(","))
    return out


@app.command("query")
def query_cmd(
    metrics: Annotated[list[str], typer.Argument(help="Metric id(s), e.g. win_rate.")],
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Group by this dimension (repeatable).")
    ] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="Filter DIM=VALUE[,VALUE] (repeatable).")
    ] = None,
    period: PeriodOpt = None,
    grain: Annotated[
        str | None, typer.Option("--grain", help="month, quarter, year, fiscal_quarter ...")
    ] = None,
    compare: Annotated[
        list[str] | None, typer.Option("--compare", help="budget, py (prior year) or pp (prior period).")
    ] = None,
    order_by: Annotated[
        str | None, typer.Option("--order-by", help="Column; prefix - for descending.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = None,
    persona: PersonaOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a governed metric query; --json prints columns, rows, sql, definitions, filters and scope."""
    from revintel.semantic import MetricQuery

    q = MetricQuery(
        metrics=metrics,
        dimensions=by or [],
        filters=_parse_where(where or []),
        period=period,
        grain=grain,
        compare=compare or [],
        order_by=order_by,
        limit=limit,
    )
    res = runtime().semantic.query(q, _scope(persona))

    def render(o: dict[str, Any]) -> None:
        t = Table(*o["columns"])
        for row in o["rows"]:
            t.add_row(*[fmt(v, o["units"].get(c, "")) for c, v in zip(o["columns"], row, strict=True)])
        console.print(t)
        console.print(f"[dim]scope: {o['scope']['description']}[/]")

    emit(res.to_dict(), as_json, render)
