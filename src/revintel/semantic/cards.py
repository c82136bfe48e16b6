"""Headline cards in one query per table: each metric's value, budget, prior year and sparkline.

A card asked for alone runs two queries (its value with budget and prior year, then its 12-month
sparkline), so five cards of one table ran ten, each reading the table. Here the flow metrics of
one table are read once: the rows of the period, its prior year and the sparkline's months are one
subquery (one scan; DuckDB materialises a subquery read twice), from which one branch computes the
values (as :func:`~revintel.semantic.fuse.fused_table` does for any query with ``compare``, the
budgets joined on) and another the monthly sparkline; a ``UNION ALL`` returns both. The numbers are
the ones the two queries per card give: same definitions, same scope, same periods
(``tests/semantic/test_cards.py`` compares them).

Result rows: one with ``__month`` NULL (each metric's value, ``<id>_budget``, ``<id>_py``), then one
per sparkline month that has rows (``<id>`` only), as the monthly query returns them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ibis

from revintel.errors import Forbidden
from revintel.scope import Scope
from revintel.semantic.compile import Slice, join_parts
from revintel.semantic.fuse import fusable, fused_table, source
from revintel.semantic.model import Metric
from revintel.semantic.placement import BUCKET, _date_col
from revintel.semantic.time import Period, add_months, month_start

if TYPE_CHECKING:
    from revintel.semantic.compile import SemanticLayer
    from revintel.semantic.plan import Plan

SPARK_POINTS = 12
MONTH = "__month"


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
    from revintel.semantic.plan import budget_table, budget_values, budgeted_from_rows, finish

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
    t = t.filter(_date_col(t, date).between(ibis.literal(lo), ibis.literal(hi)))  # read once, by both
    values = fused_table(layer, metrics, sl, [("", period, 0), ("_py", prior, 12)], rows=(t, formulas))
    parts = [values]
    together = [m for m in metrics if budgeted_from_rows(m, sl)]  # one read of the budgets table
    if together:
        both = budget_values(layer, together, sl)
        assert both is not None
        parts.append(both.rename({f"{m.id}_budget": f"{m.id}__budget" for m in together}))
    for m in metrics:
        if any(m.id == t.id for t in together):
            continue
        b = budget_table(layer, m, sl)
        name = f"{m.id}_budget"
        parts.append(
            b.rename({name: f"{m.id}__budget"}) if b is not None else values.select(**{name: _null()})
        )
    head = join_parts(parts, [])
    monthly = Slice((), (), window, "month", scope)
    spark = fused_table(layer, metrics, monthly, [("", window, 0)], rows=(t, formulas))
    columns = [c for m in metrics for c in (m.id, f"{m.id}_budget", f"{m.id}_py")]
    top = head.select(ibis.null().cast("date").name(MONTH), *[head[c] for c in columns])
    by_month = spark.select(
        spark[BUCKET].cast("date").name(MONTH),
        *[(spark[c] if c in spark.columns else _null()).name(c) for c in columns],
    )
    result = ibis.union(top, by_month, distinct=False)
    meta: dict[str, Any] = {
        "filters": {},
        "scope": scope.to_dict(),
        "period": period.to_dict(),
        "grain": None,
        "units": {c: m.unit for m in metrics for c in columns if c.startswith(m.id)},
    }
    return finish(layer, metrics, result, meta, lambda: compile_cards(layer, metric_ids, period, scope))


def _null() -> ibis.Value:
    return ibis.null().cast("float64")
