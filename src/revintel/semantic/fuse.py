"""Scan fusion: several flow metrics of one table, for the period and its comparison periods
(prior year, prior period), computed in a single pass with filtered aggregates.

``chargeable hours and rate per hour by client, this year vs last year`` would otherwise read the
fact table four times; fused it reads it once, like the SQL a person would write:
``sum(h) FILTER (WHERE month IN this year)``, ``sum(h) FILTER (WHERE month IN last year)``, ...
Prior-year rows are bucketed onto the current calendar (``bucket_of(month, shift=12)``), so a
monthly trend lines up. Periods that overlap cannot share a scan and fall back to one part each.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import TYPE_CHECKING

import ibis

from revintel.errors import Forbidden
from revintel.semantic import expr
from revintel.semantic.model import Metric
from revintel.semantic.placement import BUCKET, _date_col, bucket_of
from revintel.semantic.time import Period

if TYPE_CHECKING:
    from revintel.semantic.compile import SemanticLayer, Slice

#: (column suffix, period, months the buckets shift by): ("", current, 0), ("_py", prior year, 12) ...
Variant = tuple[str, Period | None, int]


def fusable(metric: Metric) -> bool:
    return not metric.is_composite and metric.time.kind == "flow" and not metric.latest_by


def disjoint(variants: list[Variant]) -> bool:
    periods = [p for _, p, _ in variants]
    if len(periods) == 1:
        return True
    if any(p is None for p in periods):
        return False
    spans = sorted((p.start, p.end) for p in periods if p is not None)
    return all(a[1] < b[0] for a, b in pairwise(spans))


def _covers(spans: list[tuple[dt.date, dt.date]], lo: dt.date, hi: dt.date) -> bool:
    """Whether the (possibly overlapping) inclusive date spans together cover every day of lo..hi."""
    reach = lo - dt.timedelta(days=1)
    for start, end in sorted(spans):
        if start > reach + dt.timedelta(days=1):
            return False
        reach = max(reach, end)
    return reach >= hi


def source(
    layer: SemanticLayer, metrics: list[Metric], sl: Slice, within: Period | None = None
) -> tuple[ibis.Table, dict[str, str]]:
    """The rows ``metrics`` (one table) read for ``sl`` with its filters applied, and their formulas
    (``within``: see :meth:`SemanticLayer.source`)."""
    t, formulas = layer.source(metrics, sl, within)
    for d, values in sl.filters:
        t = t.filter(t[layer.catalogue.dimension(d).column].isin(list(values)))
    return t, formulas


def fused_table(
    layer: SemanticLayer,
    metrics: list[Metric],
    sl: Slice,
    variants: list[Variant],
    rows: tuple[ibis.Table, dict[str, str]] | None = None,
) -> ibis.Table:
    """Keys + one column per (metric, variant): ``<id><suffix>``, from one scan of the metrics' table.

    ``rows`` is the source to read and each metric's formula over it, when the caller already has
    them (:func:`source`); without a grain, variants may overlap (each value is its own filtered
    aggregate).
    """
    for m in metrics:
        if m.domain not in sl.scope.domains:
            raise Forbidden(
                f"your role cannot see {m.domain} metrics such as {m.id}",
                details={"metric": m.id, "domain": m.domain},
            )
    date = metrics[0].date
    assert date is not None
    t, formulas = rows if rows is not None else source(layer, metrics, sl)

    def in_variant(tbl: ibis.Table, period: Period | None) -> ibis.BooleanValue:
        d = _date_col(tbl, date)
        return (
            d.notnull() if period is None else d.between(ibis.literal(period.start), ibis.literal(period.end))
        )

    periods = [p for _, p, _ in variants]
    if all(p is not None for p in periods):  # one range the engine can push down to the scan
        lo, hi = min(p.start for p in periods if p), max(p.end for p in periods if p)
        t = t.filter(_date_col(t, date).between(ibis.literal(lo), ibis.literal(hi)))
        contiguous = _covers([(p.start, p.end) for p in periods if p], lo, hi)
    else:
        t = t.filter(_date_col(t, date).notnull())
        contiguous = True
    if not contiguous:
        conds = [in_variant(t, p) for p in periods]
        anyof = conds[0]
        for c in conds[1:]:
            anyof = anyof | c
        t = t.filter(anyof)
    if sl.grain:
        d = _date_col(t, date)
        fs = layer.fiscal_start_month
        cases = [(in_variant(t, p), bucket_of(d, sl.grain, fs, shift)) for _, p, shift in variants]
        t = t.mutate(**{BUCKET: cases[0][1] if len(cases) == 1 else ibis.cases(*cases)})
    aggregates = []
    for m in metrics:
        row_filter = expr.translate_over(m.where, t) if m.where else None
        for suffix, period, _ in variants:
            where = in_variant(t, period)
            if row_filter is not None:
                where = where & row_filter
            value = expr.translate_over(formulas[m.id], t, where=where)
            aggregates.append(value.cast("float64").name(m.id + suffix))
    dims = [t[layer.catalogue.dimension(d).column].name(d) for d in sl.dims]
    groups = ([t[BUCKET]] if sl.grain else []) + dims
    return t.group_by(groups).aggregate(aggregates) if groups else t.aggregate(aggregates)
