"""Aggregate-aware rollups: pre-aggregated copies of big fact tables the compiler reads instead of
the base table whenever a query can be answered from them.

A rollup (``_rollup_services_monthly``) groups the base table by its date and a few dimensions
(region, capability) and keeps, for every aggregate any catalogue metric needs, a decomposable
partial: ``sum(E)``, ``count(E)``, ``count(*)``, ``min``/``max``. A metric's formula is rewritten
over the partials (``avg(E)`` becomes ``sum(s_E) / sum(c_E)``). The compiler uses the rollup only when
the query's dimensions, filters and the caller's scope all fall within the rollup's dimensions,
and only when the rollup was built for the current data version. Until then the same partials are
computed inline, in one scan of the base table (:func:`inline`), so a request never waits for a
rollup build: rollups are rebuilt (atomically, in one DuckDB transaction) by the precomputation
after each load, or explicitly with :func:`refresh`; they are never served stale. DuckDB only;
other backends always read the base tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
from sqlglot import expressions as exp

from revintel.semantic import expr
from revintel.semantic.model import Metric
from revintel.warehouse.backends import DuckDBWarehouse

if TYPE_CHECKING:
    from revintel.semantic.compile import SemanticLayer

PREFIX = "_rollup_"
STATE = "_revintel_rollups"
ROWS = "__rows"


@dataclass(frozen=True)
class RollupSpec:
    """Which table to pre-aggregate, by its date column and these dimension columns."""

    table: str
    date: str
    dims: tuple[str, ...]

    @property
    def name(self) -> str:
        return PREFIX + self.table


SPECS: dict[str, RollupSpec] = {
    "services_monthly": RollupSpec("services_monthly", "month", ("region", "capability")),
}

_CANONICAL: ContextVar[bool] = ContextVar("revintel_canonical_only", default=False)


@contextlib.contextmanager
def canonical_only() -> Iterator[None]:
    """Compile over the canonical tables only (no rollup) inside this block, in this thread or task.

    Used to write "the SQL behind this number" an analyst can run: the same query, compiled without
    the pre-aggregate, returns the same number from the canonical tables.
    """
    token = _CANONICAL.set(True)
    try:
        yield
    finally:
        _CANONICAL.reset(token)


def served_note(names: list[str]) -> str:
    """SQL comment lines saying a pre-aggregate answered and the query below gives the same number."""
    tables = sorted({n[len(PREFIX) :] for n in names})
    how = "; ".join(f"{t} by {', '.join((SPECS[t].date, *SPECS[t].dims))}" for t in tables if t in SPECS)
    return (
        f"-- Served from a pre-aggregate of {how} (rebuilt with every load).\n"
        "-- This query over the canonical tables returns the same number.\n"
    )


def _key(node: exp.Expression) -> str:
    return hashlib.sha1(node.sql().encode()).hexdigest()[:10]  # noqa: S324 - a column name, not security


def partials(formula: str) -> dict[str, tuple[str, exp.Expression | None]] | None:
    """The partial aggregates a formula needs ({column: (kind, argument)}), or None if it cannot
    be decomposed (FILTER clauses, count(distinct))."""
    out: dict[str, tuple[str, exp.Expression | None]] = {}
    tree = expr.parse(formula)
    if any(True for _ in tree.find_all(exp.Filter)):
        return None
    for agg in tree.find_all(exp.AggFunc):
        arg = agg.this
        if isinstance(agg, exp.Count):
            if isinstance(arg, exp.Distinct):
                return None
            if arg is None or isinstance(arg, exp.Star):
                out[ROWS] = ("rows", None)
            else:
                out[f"c_{_key(arg)}"] = ("count", arg)
        elif isinstance(agg, exp.Sum):
            out[f"s_{_key(arg)}"] = ("sum", arg)
        elif isinstance(agg, exp.Avg):
            out[f"s_{_key(arg)}"] = ("sum", arg)
            out[f"c_{_key(arg)}"] = ("count", arg)
        elif isinstance(agg, exp.Min | exp.Max):
            out[f"{'mn' if isinstance(agg, exp.Min) else 'mx'}_{_key(arg)}"] = (
                type(agg).__name__.lower(),
                arg,
            )
        else:
            return None
    return out


_PREFIXES = {"sum": "s", "count": "c", "min": "mn", "max": "mx"}


def column(kind: str, arg: exp.Expression | None) -> str:
    """The rollup table's column holding one partial (``s_<hash>``: short, and stable across catalogues)."""
    if kind == "rows":
        return ROWS
    assert arg is not None
    return f"{_PREFIXES[kind]}_{_key(arg)}"


def readable(kind: str, arg: exp.Expression | None) -> str:
    """A partial's name in SQL shown to people (``sum_hourly_rate_chargeable_hours``)."""
    if kind == "rows":
        return "row_count"
    assert arg is not None
    return f"{kind}_" + (re.sub(r"[^0-9a-z]+", "_", arg.sql().lower()).strip("_") or _key(arg))


def _aggregates(formula: str) -> list[tuple[str, exp.Expression | None]]:
    """(kind, argument) of each partial ``formula`` needs, in order (see :func:`partials`)."""
    return list((partials(formula) or {}).values())


def rewrite(formula: str, name: Callable[[str, exp.Expression | None], str] = column) -> str:
    """``formula`` over partial columns named by ``name`` (default: the rollup table's)."""

    def swap(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.AggFunc):
            return node
        arg = node.this
        if isinstance(node, exp.Count):
            kind = "rows" if arg is None or isinstance(arg, exp.Star) else "count"
            return exp.func("sum", exp.column(name(kind, None if kind == "rows" else arg)))
        if isinstance(node, exp.Sum):
            return exp.func("sum", exp.column(name("sum", arg)))
        if isinstance(node, exp.Avg):
            return exp.Paren(
                this=exp.Div(
                    this=exp.func("sum", exp.column(name("sum", arg))),
                    expression=exp.func("sum", exp.column(name("count", arg))),
                )
            )
        kind, fn = ("min", "min") if isinstance(node, exp.Min) else ("max", "max")
        return exp.func(fn, exp.column(name(kind, arg)))

    return expr.parse(formula).copy().transform(swap).sql(dialect="duckdb")


def _aggregate(kind: str, value: Any, base: ibis.Table) -> Any:
    return {
        "rows": lambda v: base.count(),
        "sum": lambda v: v.sum(),
        "count": lambda v: v.count(),
        "min": lambda v: v.min(),
        "max": lambda v: v.max(),
    }[kind](value)


def inline(
    spec: RollupSpec, base: ibis.Table, metrics: list[Metric], keys: set[str]
) -> tuple[ibis.Table, dict[str, str]]:
    """The rollup as a subquery of the (already scoped) base table, and each metric's formula over it.

    Read while the rollup table is not built for the current data version: one scan of the base
    table groups it by the date and ``keys`` (the query's dimension, filter and scope columns), and
    the metrics are computed from those partials, as from the table. Partials get readable names,
    since this SQL is the one shown.
    """
    wanted: dict[str, tuple[str, exp.Expression | None]] = {}
    for m in metrics:
        for kind, arg in _aggregates(m.formula or ""):
            wanted[kind + ":" + ("" if arg is None else arg.sql())] = (kind, arg)
    names = {k: readable(*ka) for k, ka in wanted.items()}
    if len(set(names.values())) < len(names):  # two arguments read alike: keep the rollup's names
        names = {k: column(*ka) for k, ka in wanted.items()}

    def name(kind: str, arg: exp.Expression | None) -> str:
        return names[kind + ":" + ("" if arg is None else arg.sql())]

    aggs = {
        names[k]: _aggregate(kind, None if arg is None else expr.translate_over(arg.sql(), base), base)
        for k, (kind, arg) in wanted.items()
    }
    groups = [base[spec.date], *[base[c] for c in sorted(keys - {spec.date})]]
    return base.group_by(groups).aggregate(**aggs), {m.id: rewrite(m.formula or "", name) for m in metrics}


def eligible(metric: Metric) -> bool:
    """Whether a metric can ever be answered from its table's rollup."""
    spec = SPECS.get(metric.table or "")
    return bool(
        spec
        and metric.formula
        and not metric.where
        and not metric.latest_by
        and metric.date == spec.date
        and metric.time.kind in ("flow", "last")
        and partials(metric.formula) is not None
    )


class Rollups:
    """The rollups of one DuckDB warehouse, their freshness, and the compiler's choice."""

    def __init__(self, layer: SemanticLayer):
        self.layer = layer
        wh = layer.warehouse
        #: rollups are tables in the DuckDB file: none on Spark, none on a file opened read-only
        self.enabled = isinstance(wh, DuckDBWarehouse) and not wh.read_only
        self._fresh: dict[str, str] = {}
        self._absent: dict[str, str] = {}  # rollup -> the data version it was found stale for

    def forget(self) -> None:
        """Forget what is known about which rollups are built (they are checked again)."""
        self._fresh.clear()
        self._absent.clear()

    def ready(self, spec: RollupSpec) -> bool:
        """Whether ``spec``'s rollup is built for the current data version. Never builds it: a
        request reads the base table until a load's precomputation (:func:`refresh`) built it."""
        if not self.enabled:
            return False
        version = self.layer.data_version()
        if self._fresh.get(spec.name) == version:
            return True
        if self._absent.get(spec.name) == version:
            return False
        if self._built_version(spec) == version:
            self._fresh[spec.name] = version
            return True
        self._absent[spec.name] = version
        return False

    def ready_names(self) -> tuple[str, ...]:
        """The rollups built for the current data version (part of every plan's key)."""
        if not self.enabled:
            return ()
        return tuple(s.name for s in SPECS.values() if self.ready(s))

    @property
    def _duckdb(self) -> DuckDBWarehouse:
        wh = self.layer.warehouse
        assert isinstance(wh, DuckDBWarehouse)  # rollups are enabled on DuckDB only
        return wh

    def spec_for(self, metric: Metric, columns: set[str]) -> RollupSpec | None:
        """The rollup that can answer ``metric`` over ``columns`` (dims, filters, scope), if any."""
        if not self.enabled or _CANONICAL.get() or not eligible(metric):
            return None
        spec = SPECS[metric.table or ""]
        return spec if columns <= set(spec.dims) else None

    def table(self, spec: RollupSpec) -> ibis.Table:
        """The rollup table, rebuilt first if the data changed since it was built."""
        self.ensure(spec)
        return self._duckdb.reader().table(spec.name)  # on this thread's cursor

    def ensure(self, spec: RollupSpec) -> None:
        version = self.layer.data_version()
        if self._fresh.get(spec.name) == version:
            return
        if self._built_version(spec) != version:
            self.build(spec, version)
        self._fresh[spec.name] = version
        self._absent.pop(spec.name, None)

    def _built_version(self, spec: RollupSpec, con: Any = None) -> str | None:
        cur = con if con is not None else self._duckdb.cursor()
        known = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
            [STATE],
        ).fetchall()[0][0]
        rows = (
            cur.execute(f"SELECT version FROM {STATE} WHERE name = ?", [spec.name]).fetchall()
            if known
            else []
        )
        return rows[0][0] if rows else None

    def measures(self, spec: RollupSpec) -> dict[str, tuple[str, exp.Expression | None]]:
        out: dict[str, tuple[str, exp.Expression | None]] = {ROWS: ("rows", None)}
        for m in self.layer.catalogue.metrics_by_id.values():
            if m.table == spec.table and eligible(m):
                out.update(partials(m.formula or "") or {})
        return out

    def build(self, spec: RollupSpec, version: str) -> None:
        """(Re)build one rollup for ``version`` in a single transaction."""
        base = self.layer.warehouse.table(spec.table)
        aggs = {
            col: _aggregate(kind, None if arg is None else expr.translate_over(arg.sql(), base), base)
            for col, (kind, arg) in self.measures(spec).items()
        }
        grouped = base.group_by([base[spec.date], *[base[d] for d in spec.dims]]).aggregate(**aggs)
        sql = self.layer.warehouse.compile(grouped)
        with self._duckdb.writing() as raw:  # one writer at a time; readers never wait
            if self._built_version(spec, raw) == version:
                return  # another thread built it while this one waited
            raw.execute(
                f"CREATE TABLE IF NOT EXISTS {STATE} (name VARCHAR PRIMARY KEY, version VARCHAR, "
                "built_at TIMESTAMP, source_rows BIGINT, rollup_rows BIGINT)"
            )
            raw.execute("BEGIN TRANSACTION")
            try:
                raw.execute(f"CREATE OR REPLACE TABLE {spec.name} AS {sql}")
                n = raw.execute(f"SELECT count(*), sum({ROWS}) FROM {spec.name}").fetchall()[0]
                raw.execute(
                    f"INSERT OR REPLACE INTO {STATE} VALUES (?, ?, ?, ?, ?)",
                    [spec.name, version, dt.datetime.now(dt.UTC).replace(tzinfo=None), n[1] or 0, n[0]],
                )
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise


def refresh(layer: SemanticLayer) -> dict[str, str]:
    """Rebuild every stale rollup now (e.g. right after an ingest); returns {rollup: version}."""
    r = layer.rollups
    out = {}
    if r.enabled:
        for spec in SPECS.values():
            if layer.table_counts().get(spec.table, 0) > 0:
                r.ensure(spec)
                out[spec.name] = layer.data_version()
    return out
