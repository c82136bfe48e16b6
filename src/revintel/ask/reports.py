"""Answers that span several metrics or single records: budget vs actuals, the pipeline funnel, deal lookup.

Like :mod:`revintel.ask.execute`, every number comes through the semantic layer (``query`` or a
``scoped_table``), so the caller's scope is applied by the compiler.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from revintel.ask.answer import Answer, fmt, fmt_delta, pct_change
from revintel.ask.execute import RATIO_UNITS, Run, _delta, _first
from revintel.errors import InvalidRequest
from revintel.semantic.execute import MEMTABLE
from revintel.warehouse.schema import STAGE_ORDER

#: compiled deal-lookup SQL per (backend, catalogue, scope, search, filters, tables present): building
#: and compiling the joined Ibis expression costs more than running it on 520k deals
_DEAL_SQL: dict[tuple[Any, ...], str] = {}
_DEAL_SQL_LOCK = threading.Lock()


def budget_vs_actual(run: Run) -> Answer:
    metrics = (
        [run.req.metric]
        if run.req.metric
        else [
            m.id
            for m in run.catalogue.metrics
            if m.budget and not m.budget.target and run.has_data(m) and m.domain in run.scope.domains
        ]
    )
    period = run.req.period or "ytd"
    try:  # every metric and its budget in one query
        results = [run.query(metrics=metrics, compare=["budget"], period=period)] * len(metrics)
    except InvalidRequest:  # a filter one metric cannot take: one query per metric, skipping those
        results = []
        for mid in list(metrics):
            try:
                results.append(run.query(metrics=[mid], compare=["budget"], period=period))
            except InvalidRequest:
                metrics.remove(mid)
    rows = []
    for mid, res in zip(metrics, results, strict=True):
        m = run.metric(mid)
        actual, budget = _first(res, mid), _first(res, f"{mid}_budget")
        if actual is None and budget is None:
            continue
        var = _delta(actual, budget)
        rows.append([m.label, actual, budget, var, pct_change(actual, budget), m.unit])
    if not rows:
        return run.answer(
            "There are no budgeted metrics with data in your scope for that period.",
            "budget_vs_actual",
            confidence=0.4,
        )
    when = run.period["label"] if run.period else period
    parts = [
        f"{r[0]} {fmt(r[1], r[5])} vs budget {fmt(r[2], r[5])} ({fmt_delta(r[3], r[5])}"
        + (f", {r[4]:+.1%})" if r[4] is not None and r[5] not in RATIO_UNITS else ")")
        for r in rows
    ]
    text = f"Budget vs actuals{run.where()}, {when}: " + "; ".join(parts) + "."
    head = rows[0]
    percent = re.search(r"%|\bper ?cent|\bpercentage\b|\bpct\b", run.req.question.lower()) is not None
    return run.answer(
        text,
        "budget_vs_actual",
        value=(head[4] if percent else head[3]) if len(rows) == 1 else None,
        unit="percent" if percent else head[5],
        columns=["metric", "actual", "budget", "variance", "variance_pct", "unit"],
        rows=rows,
        chart={"type": "bar", "x": "metric", "y": ["variance_pct"]},
        confidence=0.9,
    )


def funnel(run: Run) -> Answer:
    res = run.query(metrics=["open_deals", "open_pipeline"], dimensions=["stage"], period=run.req.period)
    rows = sorted((list(r) for r in res.rows if r[0] is not None), key=lambda r: STAGE_ORDER.get(r[0], 99))
    total_n = sum(r[1] or 0 for r in rows)
    total_v = sum(r[2] or 0 for r in rows)
    text = (
        f"Open pipeline{run.where()}{run.when()}: {int(total_n):,} deals worth {fmt(total_v, 'currency')}; "
        "by stage " + ", ".join(f"{r[0]} {int(r[1] or 0):,} ({fmt(r[2], 'currency')})" for r in rows) + "."
    )
    return run.answer(
        text,
        "funnel",
        value=total_v,
        unit="currency",
        columns=res.columns,
        rows=rows,
        chart={"type": "bar", "x": "stage", "y": ["open_pipeline"], "funnel": True},
        confidence=0.85,
    )


DEAL_COLUMNS = (
    "opportunity_id",
    "name",
    "account",
    "rep",
    "stage",
    "status",
    "amount",
    "probability",
    "close_date",
)


def _deal_query(run: Run, search: str) -> tuple[str, Any]:
    """(SQL, rows) of the deals matching ``search`` and the request's filters, in the caller's scope."""
    import ibis

    wanted = [*DEAL_COLUMNS, *(d for d in run.req.filters if d != "account")]
    t = run.sem.scoped_table("opportunities", run.scope, columns=wanted)
    cond = (
        t.name.lower().contains(search)
        | (t.opportunity_id.lower() == search)
        | t.account.lower().contains(search)
    )
    for dim, values in run.req.filters.items():
        if dim in t.columns and dim != "account":
            cond = cond & t[dim].isin(values)
    expr = t.filter(cond).select(*DEAL_COLUMNS).order_by([ibis.desc("amount"), "opportunity_id"]).limit(20)
    return run.sem.run(expr)  # the exact SQL run, rows cached per data version


def deal_lookup(run: Run) -> Answer:
    """Deals whose name, id or account matches the search text (in the caller's scope)."""
    search = (run.req.search or "").strip().lower()
    key = (
        run.sem.warehouse.scheme,
        run.catalogue.fingerprint,
        json.dumps(run.scope.to_dict(), sort_keys=True),
        search,
        json.dumps(run.req.filters, sort_keys=True),
        tuple(sorted(run.sem.state().counts)),
    )
    cached = _DEAL_SQL.get(key) if run.sem.warehouse.scheme == "duckdb" else None
    if cached is not None:  # DuckDB runs the SQL text itself
        sql, frame = run.sem.run(None, cached)  # type: ignore[arg-type]
    else:
        sql, frame = _deal_query(run, search)
        if MEMTABLE not in sql:
            with _DEAL_SQL_LOCK:
                if len(_DEAL_SQL) >= 512:
                    _DEAL_SQL.pop(next(iter(_DEAL_SQL)))
                _DEAL_SQL[key] = sql
    run.sql.append(sql)
    rows = [
        [None if v != v else v for v in r] for r in frame.astype(object).itertuples(index=False, name=None)
    ]
    if not rows:
        return run.answer(
            f"No deal matching {search!r} in your scope.",
            "deal_lookup",
            columns=list(DEAL_COLUMNS),
            rows=[],
            confidence=0.6,
        )
    d = dict(zip(DEAL_COLUMNS, rows[0], strict=True))
    text = (
        f"{d['name'] or d['opportunity_id']} ({d['account'] or 'no account'}): {d['stage']}, "
        f"{fmt(d['amount'], 'currency')}, owner {d['rep']}, close date {str(d['close_date'])[:10]}"
        + (f", CRM probability {d['probability']:.0%}" if d["probability"] is not None else "")
        + "."
        + (f" {len(rows) - 1} more deal(s) match." if len(rows) > 1 else "")
    )
    return run.answer(
        text,
        "deal_lookup",
        value=d["amount"],
        unit="currency",
        columns=list(DEAL_COLUMNS),
        rows=rows,
        chart={"type": "table"},
        confidence=0.8,
        sources=[{"table": "opportunities"}],
    )
