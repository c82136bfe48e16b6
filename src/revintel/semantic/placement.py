"""Placing rows in time: which rows of a scoped table count for a period, and in which bucket.

Four rules (``TimeSpec.kind``):

* ``flow`` — rows whose date falls in the period; bucket = the date's month/quarter/year.
* ``last`` — rows of the last month of each bucket (monthly snapshot facts such as WIP).
* ``rolling`` — rows in the ``months`` months ending with each bucket (trailing-12-month rates).
* ``snapshot`` — rows valid on each bucket's last day (or the day before its first, ``at: start``).

Each returns the filtered table with a ``__bucket`` column (the bucket's first day, shifted by
``shift_months`` so a prior-year part lines up with the current period's buckets) when a grain is
asked for. Everything is an Ibis expression: literals and arithmetic, no temporary tables, so the
SQL shown to users is complete and runs on every backend.
"""

from __future__ import annotations

import datetime as dt

import ibis

from revintel.semantic import expr
from revintel.semantic.model import Metric
from revintel.semantic.time import Period, add_months, buckets, month_start

BUCKET = "__bucket"
_SIZE = {"month": 1, "quarter": 3, "year": 12, "fiscal_quarter": 3, "fiscal_year": 12}
_TRUNC = {"month": "M", "quarter": "Q", "year": "Y"}


def bucket_of(
    col: ibis.DateValue, grain: str, fiscal_start_month: int, shift_months: int = 0
) -> ibis.DateValue:
    """First day of the ``grain`` bucket holding ``col``, moved by ``shift_months``."""
    if grain in _TRUNC and shift_months == 0:
        return col.truncate(_TRUNC[grain])
    anchor = fiscal_start_month - 1 if grain.startswith("fiscal") else 0
    size = _SIZE[grain]
    mi = col.year() * 12 + col.month() - 1 - anchor
    start = mi - mi % size + anchor + shift_months
    return ibis.date(start // 12, start % 12 + 1, 1)


def _date_col(t: ibis.Table, name: str) -> ibis.DateValue:
    c = t[name]
    return c.cast("date") if c.type().is_timestamp() else c


def place(
    t: ibis.Table,
    metric: Metric,
    period: Period | None,
    grain: str | None,
    fiscal_start_month: int,
    shift_months: int = 0,
) -> ibis.Table:
    """Filter ``t`` to the rows ``metric`` counts for ``period`` and add ``__bucket`` if ``grain``.

    ``period`` is the (possibly shifted) period whose rows are read; ``shift_months`` moves bucket
    labels back onto the caller's calendar (``+12`` for a prior-year part).
    """
    kind = metric.time.kind
    if kind == "flow":
        return _flow(t, metric, period, grain, fiscal_start_month, shift_months)
    assert period is not None, "non-flow metrics always get a period"
    spans = buckets(period, grain, fiscal_start_month) if grain else [(period.start, period.end)]
    parts = []
    for start, end in spans:
        rows = _rows_at(t, metric, start, end)
        if grain:
            rows = rows.mutate(
                **{BUCKET: ibis.literal(add_months(start, shift_months) if shift_months else start)}
            )
        parts.append(rows)
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


def _flow(
    t: ibis.Table, metric: Metric, period: Period | None, grain: str | None, fs: int, shift: int
) -> ibis.Table:
    assert metric.date is not None
    d = _date_col(t, metric.date)
    if period is not None:
        t = t.filter(d.between(ibis.literal(period.start), ibis.literal(period.end)))
        d = _date_col(t, metric.date)
    else:
        t = t.filter(d.notnull())
        d = _date_col(t, metric.date)
    if grain:
        t = t.mutate(**{BUCKET: bucket_of(d, grain, fs, shift)})
    return t


def _rows_at(t: ibis.Table, metric: Metric, start: dt.date, end: dt.date) -> ibis.Table:
    """Rows of one bucket [start, end] for the non-flow rules."""
    spec = metric.time
    assert metric.date is not None
    if spec.kind == "last":
        d = _date_col(t, metric.date)
        last = month_start(end)
        return t.filter(d.between(ibis.literal(max(last, start)), ibis.literal(end)))
    if spec.kind == "rolling":
        d = _date_col(t, metric.date)
        first = add_months(month_start(end), -(spec.months - 1))
        return t.filter(d.between(ibis.literal(first), ibis.literal(end)))
    # snapshot: valid on the day `at`
    at = end if spec.at == "end" else start - dt.timedelta(days=1)
    lit = ibis.literal(at)
    assert spec.valid_from is not None
    cond = _date_col(t, spec.valid_from) <= lit
    still = ibis.literal(False)
    if spec.valid_to:
        vt = _date_col(t, spec.valid_to)
        still = vt.isnull() | (vt > lit)
    if spec.open_when:
        still = still | expr.translate_over(spec.open_when, t)
    return t.filter(cond & still)
