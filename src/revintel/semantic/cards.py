"""Headline cards in one query per table: each metric's value, budget, prior year and sparkline.

A card asked for alone runs two queries (its value with budget and prior year, then its 12-month
sparkline), so five cards of one table ran ten, each reading the table. Here the flow metrics of
one table are read once: the rows of the period, its prior year and the sparkline's months are
grouped by month once (one scan; over a pre-aggregate, a few dozen rows), and the values, the prior
year and the sparkline are sums over that small result, each metric's formula written once per kind
of row, as a person would write it. That is what makes a read of the pre-aggregate cheap: DuckDB
binds and plans a handful of expressions instead of one filtered aggregate per (metric, period).
Formulas that do not decompose by month (a distinct count over the base table) and periods longer
than a year (the prior year overlaps) use filtered aggregates over the rows
(:func:`~revintel.semantic.fuse.fused_table`). The numbers are the ones the two queries per card
give: same definitions, same scope, same periods (``tests/semantic/test_cards.py`` compares them).

Result rows (``__part``, ``__month``, one column per metric): ``value``, ``py`` and ``budget`` rows
(a kind is absent when it has no rows), then one ``month`` row per sparkline month that has rows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ibis
from sqlglot import expressions as exp

from revintel.errors import Forbidden
from revintel.scope import Scope
from revintel.semantic import expr
from revintel.semantic.compile import Slice, join_parts
from revintel.semantic.fuse import disjoint, fusable, fused_table, source
from revintel.semantic.model import Metric
from revintel.semantic.placement import BUCKET, _date_col, bucket_of
from revintel.semantic.time import Period, add_months, month_start

if TYPE_CHECKING:
    from revintel.semantic.compile import SemanticLayer
    from revintel.semantic.plan import Plan

SPARK_POINTS = 12
MONTH = "__month"
PART = "__part"


def spark_window(period: Period) -> Period:
    """The sparkline's span: the 12 months ending with the period's last month (cut at its end)."""
    first = add_months(month_start(period.end), -(SPARK_POINTS - 1))
    return Period(first, period.end, "months", f"12 months to {period.end.isoformat()}")


def spark_months(period: Period) -> list[dt.date]:
    """The first day of each sparkline month, oldest first."""
    first = spark_window(period).start
    return [add_months(first, i) for i in range(SPARK_POINTS)]


def groupable(metric: Metric) -> bool:
    """Whether a card's numbers can come from the one query of its table (flow metrics of one table)."""
    return fusable(metric) and metric.table is not None and metric.date is not None


def compile_cards(layer: SemanticLayer, metric_ids: list[str], period: Period, scope: Scope) -> Plan:
    """One plan for the cards of ``metric_ids`` (flow metrics of one table) over ``period``."""
    from revintel.semantic.plan import finish

    metrics = [layer.catalogue.metric(i) for i in metric_ids]
    for m in metrics:
        if m.domain not in scope.domains:
            raise Forbidden(
                f"your role cannot see {m.domain} metrics such as {m.id!r}",
                details={"metric": m.id, "domain": m.domain, "scope": scope.to_dict()},
            )
    assert all(groupable(m) for m in metrics) and len({(m.table, m.date) for m in metrics}) == 1
    date = metrics[0].date
    assert date is not None
    prior, window = period.prior_year(), spark_window(period)
    sl = Slice((), (), period, None, scope)
    lo, hi = min(prior.start, window.start), max(period.end, window.end)
    t, formulas = source(layer, metrics, sl, Period(lo, hi, "range", "cards"))
    t = t.filter(_date_col(t, date).between(ibis.literal(lo), ibis.literal(hi)))  # read once, by all
    by_month = _monthly(t, formulas, date) if not any(m.where for m in metrics) else None
    if by_month is not None and disjoint([("", period, 0), ("_py", prior, 12)]):
        parts = _from_months(layer, metrics, by_month, formulas, date, period, prior, window)
    else:
        parts = _fused(layer, metrics, sl, (t, formulas), period, prior, window)
    budgets = _budgets(layer, metrics, sl)
    if budgets is not None:
        parts.append(_rows(budgets, metrics, "budget", None, "{}_budget"))
    meta: dict[str, Any] = {
        "filters": {},
        "scope": scope.to_dict(),
        "period": period.to_dict(),
        "grain": None,
        "units": {m.id: m.unit for m in metrics},
    }
    result = ibis.union(*parts, distinct=False)
    return finish(layer, metrics, result, meta, lambda: compile_cards(layer, metric_ids, period, scope))


def _monthly(t: ibis.Table, formulas: dict[str, str], date: str) -> ibis.Table | None:
    """``t`` grouped by its date once, each column the formulas aggregate re-aggregated as they do
    (a sum of monthly sums is the sum): None when a formula is not made of sums, minimums and
    maximums of columns, as over a pre-aggregate's partials (or the same partials computed inline)."""
    how: dict[str, str] = {}
    for text in formulas.values():
        for agg in expr.parse(text).find_all(exp.AggFunc):
            if not isinstance(agg, exp.Sum | exp.Min | exp.Max) or not isinstance(agg.this, exp.Column):
                return None
            fn = type(agg).__name__.lower()
            if how.setdefault(agg.this.name, fn) != fn or agg.this.name == date:
                return None
    d = _date_col(t, date)
    return t.group_by(d.name(date)).aggregate(**{c: getattr(t[c], fn)() for c, fn in how.items()})


def _from_months(
    layer: SemanticLayer,
    metrics: list[Metric],
    months: ibis.Table,
    formulas: dict[str, str],
    date: str,
    period: Period,
    prior: Period,
    window: Period,
) -> list[ibis.Table]:
    """The value and prior-year rows (the months tagged by the period they fall in, one group each)
    and the sparkline's monthly rows, each metric's formula written once per row kind."""
    d = months[date]
    part = ibis.cases(
        (d.between(ibis.literal(period.start), ibis.literal(period.end)), "value"),
        (d.between(ibis.literal(prior.start), ibis.literal(prior.end)), "py"),
    )
    tagged = months.mutate(**{PART: part})
    tagged = tagged.filter(tagged[PART].notnull())
    values = tagged.group_by(tagged[PART]).aggregate(
        **{m.id: expr.translate_over(formulas[m.id], tagged).cast("float64") for m in metrics}
    )
    inside = months.filter(d.between(ibis.literal(window.start), ibis.literal(window.end)))
    bucket = bucket_of(inside[date], "month", layer.fiscal_start_month)
    spark = inside.group_by(bucket.name(MONTH)).aggregate(
        **{m.id: expr.translate_over(formulas[m.id], inside).cast("float64") for m in metrics}
    )
    return [
        values.select(values[PART], ibis.null().cast("date").name(MONTH), *[values[m.id] for m in metrics]),
        spark.select(
            ibis.literal("month").name(PART), spark[MONTH].cast("date"), *[spark[m.id] for m in metrics]
        ),
    ]


def _fused(
    layer: SemanticLayer,
    metrics: list[Metric],
    sl: Slice,
    rows: tuple[ibis.Table, dict[str, str]],
    period: Period,
    prior: Period,
    window: Period,
) -> list[ibis.Table]:
    """The same rows from filtered aggregates over the rows themselves (formulas that do not
    decompose by month, such as a distinct count, or a period longer than a year)."""
    values = fused_table(layer, metrics, sl, [("", period, 0), ("_py", prior, 12)], rows=rows)
    monthly = Slice((), (), window, "month", sl.scope)
    spark = fused_table(layer, metrics, monthly, [("", window, 0)], rows=rows)
    spark = spark.mutate(**{MONTH: spark[BUCKET].cast("date")})
    return [
        _rows(values, metrics, "value", None, "{}"),
        _rows(values, metrics, "py", None, "{}_py"),
        _rows(spark, metrics, "month", MONTH, "{}"),
    ]


def _budgets(layer: SemanticLayer, metrics: list[Metric], sl: Slice) -> ibis.Table | None:
    """One row with ``<id>_budget`` for each metric that has a budget for the slice, or None."""
    from revintel.semantic.plan import budget_table, budget_values, budgeted_from_rows

    parts = []
    together = [m for m in metrics if budgeted_from_rows(m, sl)]  # one read of the budgets table
    if together:
        both = budget_values(layer, together, sl)
        assert both is not None
        parts.append(both.rename({f"{m.id}_budget": f"{m.id}__budget" for m in together}))
    for m in metrics:
        if any(m.id == t.id for t in together):
            continue
        b = budget_table(layer, m, sl)
        if b is not None:
            parts.append(b.rename({f"{m.id}_budget": f"{m.id}__budget"}))
    return join_parts(parts, []) if parts else None


def _rows(t: ibis.Table, metrics: list[Metric], kind: str, month: str | None, column: str) -> ibis.Table:
    """``t`` as result rows of ``kind``: ``__part``, ``__month`` and one column per metric."""
    return t.select(
        ibis.literal(kind).name(PART),
        (t[month] if month else ibis.null().cast("date")).name(MONTH),
        *[
            (t[column.format(m.id)] if column.format(m.id) in t.columns else _null()).name(m.id)
            for m in metrics
        ],
    )


def _null() -> ibis.Value:
    return ibis.null().cast("float64")
