"""Planning one MetricQuery: validate names against the catalogue and the scope, build every part
(each metric, its budget, prior year, prior period) over the same slice, join them into one
expression, run it, and wrap the rows with their SQL, definitions, filters and scope.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis

from revintel.errors import Forbidden, InvalidRequest
from revintel.scope import Scope
from revintel.semantic import expr
from revintel.semantic.compile import Slice, check_grain, default_period, join_parts
from revintel.semantic.fuse import Variant, disjoint, fusable, fused_table
from revintel.semantic.model import Metric
from revintel.semantic.placement import BUCKET, place
from revintel.semantic.query import MetricQuery, QueryResult
from revintel.semantic.rollups import PREFIX, SPECS, canonical_only, served_note
from revintel.semantic.time import GRAINS, Period
from revintel.text import nearest

if TYPE_CHECKING:
    from revintel.semantic.compile import SemanticLayer


def resolve(layer: SemanticLayer, q: MetricQuery, scope: Scope) -> tuple[list[Metric], Slice]:
    """Check every name in ``q`` and intersect its filters with ``scope``."""
    cat = layer.catalogue
    metrics = [cat.metric(m) for m in q.metrics]
    for m in metrics:
        if m.domain not in scope.domains:
            raise Forbidden(
                f"your role cannot see {m.domain} metrics such as {m.id!r}",
                details={"metric": m.id, "domain": m.domain, "scope": scope.to_dict()},
            )
    grain = check_grain(q.grain)
    dims: list[str] = []
    for name in q.dimensions:
        d = cat.dimension(name)
        if d.time:
            if grain and grain != d.id:
                raise InvalidRequest(f"two time grains asked for: {grain} and {d.id}", hint="pick one")
            grain = d.id
        elif d.id not in dims:
            dims.append(_allowed(metrics, d.id))
    filters = _filters(layer, metrics, q.filters, scope)
    period = layer.period(q.period)
    needs_period = q.compare or any(m.time.kind != "flow" or m.is_composite for m in metrics)
    if period is None and needs_period:
        period = default_period(layer)
    return metrics, Slice(tuple(dims), filters, period, grain, scope)


def _allowed(metrics: list[Metric], dim: str) -> str:
    for m in metrics:
        if dim not in m.dimensions:
            raise InvalidRequest(
                f"{m.id} cannot be broken down by {dim}",
                hint=f"{m.id} can be broken down by: {', '.join(m.dimensions) or 'time only'}"
                + (f" ({nearest(dim, m.dimensions)})" if nearest(dim, m.dimensions) else ""),
                details={"metric": m.id, "value": dim, "expected": list(m.dimensions)},
            )
    return dim


def _filters(
    layer: SemanticLayer, metrics: list[Metric], filters: dict[str, list[str]], scope: Scope
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    scoped = scope.filters
    for name, values in filters.items():
        d = layer.catalogue.dimension(name)
        if d.time:
            raise InvalidRequest(
                f"filter time with `period`, not with the {d.id} dimension", hint="e.g. period=2025-Q4"
            )
        _allowed(metrics, d.id)
        wanted = [str(v) for v in values]
        if d.id in scoped:
            outside = [v for v in wanted if v not in scoped[d.id]]
            if outside:
                raise Forbidden(
                    f"{d.id} {', '.join(map(repr, outside))} is outside your scope ({scope.describe()})",
                    details={"dimension": d.id, "value": outside, "scope": scope.to_dict()},
                )
        table = next((m.table for m in _leaves(layer, metrics) if m.table), None)
        if table:
            known = layer.dimension_values(d.id, scope, table)
            for v in wanted:
                if v not in known:
                    raise InvalidRequest(
                        f"no {d.id} called {v!r}" + ("" if scope.unrestricted else " in your scope"),
                        hint=nearest(v, known),
                        details={"dimension": d.id, "value": v},
                    )
        out.append((d.id, tuple(sorted(set(wanted)))))
    return tuple(sorted(out))


def _leaves(layer: SemanticLayer, metrics: list[Metric]) -> list[Metric]:
    out: list[Metric] = []
    for m in metrics:
        if m.is_composite:
            assert m.compose is not None
            out += _leaves(layer, [layer.catalogue.metric(r) for r in sorted(expr.columns_of(m.compose))])
        else:
            out.append(m)
    return out


# --- comparisons ---------------------------------------------------------------------------------
def budget_table(layer: SemanticLayer, metric: Metric, sl: Slice) -> ibis.Table | None:
    """The metric's budget over the slice, or None when the slice cannot be budgeted."""
    spec = metric.budget
    if spec is None or sl.period is None:
        return None
    if not spec.target:
        return budget_values(layer, [metric], sl)
    target = layer.catalogue.metric(spec.target)
    if not set(sl.dims) <= set(target.dimensions) or any(d not in target.dimensions for d, _ in sl.filters):
        return None
    try:
        t = layer.metric_table(target, sl)
    except Forbidden:
        return None
    return t.rename({f"{metric.id}__budget": target.id})


def budgeted_from_rows(metric: Metric, sl: Slice) -> bool:
    """Whether the metric's budget is read from the budgets table (no target metric) for this slice."""
    spec = metric.budget
    if spec is None or spec.target or sl.period is None:
        return False
    allowed = set(spec.dimensions)
    return (
        set(sl.dims) <= allowed
        and all(d in allowed for d, _ in sl.filters)
        and all(d in allowed for d, _ in sl.scope.rows)
    )


def budget_values(layer: SemanticLayer, metrics: list[Metric], sl: Slice) -> ibis.Table | None:
    """The budgets of ``metrics`` (read from the budgets table) over the slice, from one read of it:
    keys + ``<id>__budget`` per metric; None when the slice cannot be budgeted for one of them."""
    if not metrics or not all(budgeted_from_rows(m, sl) for m in metrics):
        return None
    assert sl.period is not None
    t = layer.scoped_table("budgets", sl.scope)
    for d, values in sl.filters:
        t = t.filter(t[d].isin(list(values)))
    flow = Metric(
        id="budget",
        label="",
        description="",
        domain=metrics[0].domain,
        unit=metrics[0].unit,
        table="budgets",
        date="month",
        formula="sum(value)",
    )
    t = place(t, flow, sl.period, sl.grain, layer.fiscal_start_month)
    aggs = []
    for m in metrics:
        spec = m.budget
        assert spec is not None
        aggs.append(
            _budget_value(t, spec.formula, spec.metric, spec.agg).cast("float64").name(f"{m.id}__budget")
        )
    groups = ([t[BUCKET]] if sl.grain else []) + [t[d] for d in sl.dims]
    if not groups:
        return t.aggregate(aggs)
    # budgets is long (one row per metric): a group holding only other metrics' rows has no
    # budget for this one and must not add an empty row to the breakdown
    assert len(metrics) == 1, "budgets of several metrics are read together only without groups"
    out = t.group_by(groups).aggregate(aggs)
    return out.filter(out[f"{metrics[0].id}__budget"].notnull())


def _budget_value(t: ibis.Table, formula: str | None, metric_id: str | None, agg: str) -> ibis.Value:
    if formula:
        return expr.translate(formula, lambda name: t.value.sum(where=t.metric == name))
    where = t.metric == metric_id
    return t.value.mean(where=where) if agg == "avg" else t.value.sum(where=where)


def _shifted(sl: Slice, kind: str) -> tuple[Period, int]:
    """The comparison period for ``py``/``pp`` and the months its buckets move forward by."""
    assert sl.period is not None
    if kind == "py":
        return sl.period.prior_year(), 12
    prior = sl.period.prior_period()
    from revintel.semantic.time import months_between

    return prior, months_between(prior.start, sl.period.start)


def build(
    layer: SemanticLayer, metrics: list[Metric], sl: Slice, compare: list[str]
) -> tuple[ibis.Table, list[str]]:
    """The joined expression and its value columns, in output order.

    Flow metrics of one table, with their prior-year/prior-period comparisons, share one scan
    (:mod:`revintel.semantic.fuse`); everything else (snapshots, composites, budgets) is a part of
    its own, and the parts are joined on the slice's keys.
    """
    columns = [c for m in metrics for c in (m.id, *(f"{m.id}_{k}" for k in compare))]
    variants: list[Variant] = [("", sl.period, 0)]
    variants += [(f"_{k}", *_shifted(sl, k)) for k in compare if k != "budget"]
    fused_ok = disjoint(variants)
    groups: dict[tuple[str | None, str | None], list[Metric]] = {}
    parts: list[ibis.Table] = []
    for m in metrics:
        if fused_ok and fusable(m):
            groups.setdefault((m.table, m.date), []).append(m)
            continue
        parts.append(layer.metric_table(m, sl))
        for kind in compare:
            if kind != "budget":
                period, shift = _shifted(sl, kind)
                part = layer.metric_table(m, sl, shift_months=shift, period=period)
                parts.append(part.rename({f"{m.id}_{kind}": m.id}))
    parts += [fused_table(layer, ms, sl, variants) for ms in groups.values()]
    if "budget" in compare:
        for m in metrics:
            name = f"{m.id}_budget"
            b = budget_table(layer, m, sl)
            parts.append(b.rename({name: f"{m.id}__budget"}) if b is not None else _nulls(parts[0], sl, name))
    return join_parts(parts, sl.keys), columns


def _nulls(like: ibis.Table, sl: Slice, name: str) -> ibis.Table:
    return like.select(*[like[k] for k in sl.keys], ibis.null().cast("float64").name(name))


@dataclass
class Plan:
    """A compiled query: its expression, the exact SQL, and what the result must carry."""

    expr: ibis.Table | None  # None when the plan was read back from the on-disk plan store
    sql: str
    meta: dict[str, Any]


def compile_query(layer: SemanticLayer, q: MetricQuery, scope: Scope) -> Plan:
    """Validate ``q`` under ``scope`` and compile it to one expression and its SQL."""
    metrics, sl = resolve(layer, q, scope)
    joined, values = build(layer, metrics, sl, q.compare)
    out_keys = ([joined[BUCKET].name(sl.grain)] if sl.grain else []) + [joined[d] for d in sl.dims]
    result = joined.select(*out_keys, *[joined[c] for c in values])
    result = _order(result, q, sl, values)
    if q.limit:
        result = result.limit(q.limit)
    meta = {
        "filters": {d: list(v) for d, v in sl.filters},
        "scope": scope.to_dict(),
        "period": sl.period.to_dict() if sl.period else None,
        "grain": sl.grain,
        "units": {c: _unit_of(metrics, c) for c in values},
    }
    return finish(layer, metrics, result, meta, lambda: compile_query(layer, q, scope))


def finish(
    layer: SemanticLayer,
    metrics: list[Metric],
    result: ibis.Table,
    meta: dict[str, Any],
    recompile: Callable[[], Plan],
) -> Plan:
    """The plan of ``result``: its SQL, the metrics' definitions, and, when it reads a rollup, the
    same query compiled over the canonical tables (``recompile`` under :func:`canonical_only`)."""
    meta = {"definitions": [_definition(layer, m) for m in metrics], **meta}
    sql = layer.runner.compile(result)
    rollups = sorted(set(re.findall(rf"{PREFIX}\w+", sql)))
    meta["rollups"] = rollups
    if rollups:  # what the user is shown: the same query over the canonical tables
        with canonical_only():
            canonical = recompile()
        meta["shown_sql"] = served_note(rollups) + canonical.sql
    return Plan(result, sql, meta)


def execute_plan(layer: SemanticLayer, plan: Plan) -> QueryResult:
    """Run a compiled plan (rows cached per data version) and wrap the rows with their provenance."""
    from revintel.observability.metrics import QUERIES
    from revintel.observability.tracing import span

    meta = copy.deepcopy(plan.meta)
    ids = [str(d.get("id")) for d in meta.get("definitions", [])]
    for metric_id in ids:
        QUERIES.labels(metric_id).inc()
    with span("semantic.query", **{"revintel.metrics": ",".join(ids)}):
        # a cached plan may read a rollup: rebuild it if the data changed
        for name in meta.pop("rollups", []):
            layer.rollups.ensure(SPECS[name[len(PREFIX) :]])
        sql, columns, rows = layer.runner.rows(plan.expr, layer.data_version(), plan.sql)
    shown = meta.pop("shown_sql", None)
    if shown is None:
        return QueryResult.from_rows(columns, rows, sql=sql, parts={"query": sql}, **meta)
    return QueryResult.from_rows(
        columns, rows, sql=shown, parts={"query": shown}, run_sql=sql, preaggregated=True, **meta
    )


def run_query(layer: SemanticLayer, q: MetricQuery, scope: Scope) -> QueryResult:
    """Compile and run ``q`` without the plan cache."""
    return execute_plan(layer, compile_query(layer, q, scope))


def _definition(layer: SemanticLayer, m: Metric) -> dict[str, Any]:
    d = m.definition()
    if m.is_composite:
        d["parts"] = [
            _definition(layer, p)
            for p in (layer.catalogue.metric(r) for r in sorted(expr.columns_of(m.compose or "")))
        ]
    return d


def _unit_of(metrics: list[Metric], column: str) -> str:
    for m in metrics:
        if column == m.id or column.startswith(m.id + "_"):
            return m.unit
    return ""


def _order(t: ibis.Table, q: MetricQuery, sl: Slice, values: list[str]) -> ibis.Table:
    keys = ([sl.grain] if sl.grain else []) + list(sl.dims)
    if q.order_by:
        name = q.order_by.lstrip("-")
        if name not in t.columns:
            raise InvalidRequest(
                f"cannot order by {name!r}: not a result column", hint=nearest(name, t.columns)
            )
        first = ibis.desc(t[name]) if q.order_by.startswith("-") else ibis.asc(t[name])
        return t.order_by([first, *[t[k] for k in keys if k != name]])
    return t.order_by([t[k] for k in keys]) if keys else t


__all__ = ["GRAINS", "Plan", "build", "compile_query", "execute_plan", "resolve", "run_query"]
