"""The compiler: MetricQuery + Scope -> one Ibis expression -> rows, with the SQL that ran.

The caller's scope is applied here, always, in :meth:`SemanticLayer.scoped_table`; there is no
unscoped path. A scope that restricts a dimension the table cannot be filtered by raises
:class:`~revintel.errors.Forbidden` instead of returning unscoped rows, and a metric whose domain
is outside the scope's domains is refused the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
from sqlglot import expressions as exp

from revintel.errors import Forbidden, InvalidRequest
from revintel.scope import Scope
from revintel.semantic import expr
from revintel.semantic.catalogue import scoped_columns
from revintel.semantic.execute import MEMTABLE, DataState, PlanStore, Runner, data_state, data_version
from revintel.semantic.model import TABLE_JOINS, Catalogue, Metric
from revintel.semantic.placement import BUCKET, _date_col, place
from revintel.semantic.query import MetricQuery, QueryResult
from revintel.semantic.rollups import Rollups, RollupSpec, inline, rewrite
from revintel.semantic.time import GRAINS, Period, parse_period
from revintel.text import nearest
from revintel.warehouse.backends import Warehouse

if TYPE_CHECKING:
    import pandas as pd

    from revintel.semantic.plan import Plan


_SHARED_PLANS: dict[tuple[Any, ...], Any] = {}
#: SQL of expressions compiled per scope shape (:meth:`SemanticLayer.shaped`)
_SHARED_SQL: dict[tuple[Any, ...], str] = {}


@dataclass(frozen=True)
class Slice:
    """What every part of one query shares: grouping dimensions, filters, period, grain, scope."""

    dims: tuple[str, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    period: Period | None
    grain: str | None
    scope: Scope

    @property
    def keys(self) -> list[str]:
        return ([BUCKET] if self.grain else []) + list(self.dims)


class SemanticLayer:
    """Governed access to the warehouse: metrics by definition, rows by scope.

    Args:
        warehouse: the analytical store.
        catalogue: the metric catalogue.
        settings: read for ``fiscal_year_start_month`` and ``as_of``.
        as_of: the date treated as today (default: setting, then dataset meta, then today).
    """

    def __init__(
        self, warehouse: Warehouse, catalogue: Catalogue, settings: Any = None, as_of: dt.date | None = None
    ):
        self.warehouse = warehouse
        self.catalogue = catalogue
        self.settings = settings
        self._as_of = as_of or getattr(settings, "as_of", None)
        self._values: dict[tuple[str, str, str], set[str]] = {}
        self.runner = Runner(warehouse)
        self._state: DataState | None = None
        self._local = threading.local()  # the data state pinned by this thread's batch, if any
        self._tables: dict[str, ibis.Table] = {}
        self._plans: dict[tuple[Any, ...], Any] = {}
        self._rows: dict[str, tuple[str, pd.DataFrame]] = {}  # all_rows, per data version
        self._rows_lock = threading.Lock()
        self.rollups = Rollups(self)
        home = getattr(settings, "home", None)
        self.plan_store = PlanStore(Path(home) / "cache" / "plans" if home else None)

    # --- context -------------------------------------------------------------------------------
    @property
    def fiscal_start_month(self) -> int:
        return int(getattr(self.settings, "fiscal_year_start_month", 1) or 1)

    def as_of(self) -> dt.date:
        """The date treated as today: the setting, else the dataset's ``as_of`` meta, else today."""
        if self._as_of:
            return self._as_of
        meta = self.state().meta.get("as_of")
        return dt.date.fromisoformat(meta) if meta else dt.date.today()

    @contextmanager
    def pinned(self) -> Iterator[DataState]:
        """Read the data version once for a batch of queries (one KPI summary, one page).

        Re-entrant: a batch inside a batch (a brief's KPI summary) keeps the outer pin, and leaving
        it restores the outer pin instead of unpinning the rest of the outer batch.
        """
        outer = getattr(self._local, "pin", None)
        state = outer if outer is not None else self.state()
        self._local.pin = state
        try:
            yield state
        finally:
            self._local.pin = outer

    def state(self) -> DataState:
        """Meta, row counts and data version, refreshed whenever the data changes."""
        pin = getattr(self._local, "pin", None)
        if pin is not None:
            return pin
        version = data_version(self.warehouse)
        if self._state is None or self._state.version != version:
            fresh = data_state(self.warehouse)
            self._state = DataState(version, fresh.meta, fresh.counts)
            self._tables = {}
        return self._state

    def table_counts(self) -> dict[str, int]:
        """Rows per canonical table (0 for tables not loaded)."""
        return self.state().counts

    def _table(self, name: str) -> ibis.Table:
        self.state()
        if name not in self._tables:
            self._tables[name] = self.warehouse.table(name)
        return self._tables[name]

    def period(self, text: Period | str | None) -> Period | None:
        """Parse a period phrase against this layer's as-of date and fiscal calendar."""
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        return parse_period(text, self.as_of(), self.fiscal_start_month)

    def data_version(self) -> str:
        """A key that changes whenever the warehouse's data does (see :mod:`revintel.semantic.execute`)."""
        return self.state().version

    def run(self, e: ibis.Expr, sql: str | None = None) -> tuple[str, pd.DataFrame]:
        """(exact SQL, rows) for an expression built on scoped tables; cached per data version."""
        return self.runner.run(e, self.data_version(), sql)

    # --- scoped tables -------------------------------------------------------------------------
    def scoped_table(self, table_name: str, scope: Scope, columns: Iterable[str] | None = None) -> ibis.Table:
        """A canonical table joined to its dimension columns, filtered by ``scope``.

        Args:
            table_name: a canonical table (``opportunities``, ``services_monthly`` ...).
            scope: the caller's scope; its row filters are always applied.
            columns: only join what these columns need (default: every dimension column).

        Raises:
            Forbidden: the scope restricts a dimension this table cannot be filtered by.
            NotFound: no such table.
        """
        from revintel.warehouse.schema import table as table_spec

        table_spec(table_name)
        scope_cols = self._scope_columns(table_name, scope)
        wanted = None if columns is None else set(columns) | set(scope_cols.values())
        t = self._joined(table_name, wanted)
        for dim, values in scope.rows:
            t = t.filter(t[scope_cols[dim]].isin(list(values)))
        return t

    def _scope_columns(self, table_name: str, scope: Scope) -> dict[str, str]:
        """The column each of ``scope``'s row filters applies to (Forbidden if ``table_name`` lacks one)."""
        scope_cols = {d: self._scope_column(d) for d, _ in scope.rows}
        available = scoped_columns(table_name)
        for dim, col in scope_cols.items():
            if col not in available:
                raise Forbidden(
                    f"your scope is limited by {dim}, and {table_name} cannot be filtered by {dim}",
                    hint="ask an administrator for a role that covers this data",
                    details={"table": table_name, "dimension": dim, "scope": scope.to_dict()},
                )
        return scope_cols

    def scope_rows(self, rows: pd.DataFrame, table_name: str, scope: Scope) -> pd.DataFrame:
        """Rows of ``table_name`` computed for every scope, narrowed to what ``scope`` may see.

        ``rows`` must carry the dimension columns :meth:`scoped_table` joins (a precomputed view
        over the unrestricted scoped table: scored deals, quotas ...). The filter is the one
        :meth:`scoped_table` applies, on the same columns with the same values, so a persona's
        derived view equals its directly scoped computation.

        Raises:
            Forbidden: the scope restricts a dimension ``table_name`` cannot be filtered by.
        """
        scope_cols = self._scope_columns(table_name, scope)
        if not scope.rows:
            return rows.reset_index(drop=True)
        keep = None
        for dim, values in scope.rows:
            col = rows[scope_cols[dim]]
            m = col.notna() & col.astype(str).isin(list(values))
            keep = m if keep is None else keep & m
        return rows[keep].reset_index(drop=True)

    def all_rows(self, table_name: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Every row of ``table_name`` joined to its dimension columns, cached per data version.

        A system read (no scope) for views precomputed once and derived per scope with
        :meth:`scope_rows`; callers never show these rows without that filter. ``columns`` limits
        the read (the columns any scope can filter by are always kept).
        """
        wanted = None
        if columns is not None:  # keep every dimension column a scope could filter by
            available = set(scoped_columns(table_name))
            dims = {d.column for d in self.catalogue.dimensions if d.column in available}
            wanted = sorted(set(columns) | dims)
        version, name = self.data_version(), f"{table_name}:{wanted}"
        with self._rows_lock:
            hit = self._rows.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        t = self.scoped_table(table_name, Scope.everything(), wanted)
        frame = self.warehouse.execute(t if wanted is None else t.select(*wanted))
        with self._rows_lock:
            self._rows = {k: v for k, v in self._rows.items() if v[0] == version}
            self._rows[name] = (version, frame)
        return frame

    def _rollup_scoped(self, spec: RollupSpec, scope: Scope) -> ibis.Table:
        t = self.rollups.table(spec)
        for dim, values in scope.rows:
            t = t.filter(t[self._scope_column(dim)].isin(list(values)))
        return t

    def _scope_column(self, dim: str) -> str:
        try:
            return self.catalogue.dimension(dim).column
        except InvalidRequest:
            return dim

    def _joined(self, table_name: str, wanted: set[str] | None) -> ibis.Table:
        base = self._table(table_name)
        own = set(base.columns)
        joins = TABLE_JOINS.get(table_name, ())
        needed = set(wanted) if wanted is not None else None
        if needed is not None:  # walk back so a join that feeds a later one (owner_rep_id) is kept
            for join in reversed(joins):
                if any(out in needed and out not in own for out, _ in join.columns):
                    needed.add(join.left)
            # only the columns asked for: smaller plans compile faster and read less
            base = base.select(*([c for c in base.columns if c in needed] or base.columns[:1]))
        for join in joins:
            cols = {
                out: col
                for out, col in join.columns
                if out not in base.columns and (needed is None or out in needed)
            }
            if not cols:
                continue
            right = self._table(join.table)
            r = right.select(__k=right[join.right], **{out: right[col] for out, col in cols.items()})
            j = base.left_join(r, base[join.left] == r["__k"])
            base = j.select(*[base[c] for c in base.columns], *[r[c] for c in cols])
        return base

    def dimension_values(self, dim: str, scope: Scope, table: str) -> list[str]:
        """Distinct values of ``dim`` the caller can see in ``table`` (cached per data version)."""
        col = self.catalogue.dimension(dim).column
        key = (table, col, json.dumps(scope.to_dict(), sort_keys=True) + self.data_version())
        if key not in self._values:
            t = self.scoped_table(table, scope, [col])
            _, frame = self.run(t.select(v=t[col]).distinct())
            self._values = {k: v for k, v in self._values.items() if k[2] == key[2]}
            self._values[key] = {str(v) for v in frame["v"] if v is not None and v == v}
        return sorted(self._values[key])

    # --- queries -------------------------------------------------------------------------------
    def query(self, q: MetricQuery, scope: Scope) -> QueryResult:
        """Run ``q`` under ``scope``: rows, the SQL that ran, definitions, filters and scope.

        The compiled plan is cached per (query, scope shape, as-of date, tables present, rollups
        built): on DuckDB the scope's values are bound into the SQL of a plan compiled once per shape
        (:mod:`revintel.semantic.shapes`). Rows are cached per data version, so nothing served is
        ever stale.
        """
        from revintel.semantic.plan import compile_query

        # user filters are checked against the scope's values while compiling: compile those per scope
        return self._planned(q.model_dump_json(), scope, lambda s: compile_query(self, q, s), not q.filters)

    def cards(self, metrics: list[str], period: Period, scope: Scope) -> QueryResult:
        """Card numbers of flow metrics of one table in one query (:mod:`revintel.semantic.cards`):
        one row with each metric's value, budget, prior year and 12 sparkline months."""
        from revintel.semantic.cards import compile_cards

        what = json.dumps(["cards", metrics, period.to_dict()])
        return self._planned(what, scope, lambda s: compile_cards(self, metrics, period, s), True)

    def _planned(
        self, what: str, scope: Scope, compile_for: Callable[[Scope], Plan], shapeable: bool
    ) -> QueryResult:
        from revintel.semantic.plan import Plan, execute_plan
        from revintel.semantic.shapes import bind, shape_of

        state = self.state()
        duckdb = self.warehouse.scheme == "duckdb"
        # DuckDB plans are SQL text: compile once per scope shape and bind the scope's values
        shaped = duckdb and shapeable
        compiled_for, bindings = shape_of(scope) if shaped else (scope, {})
        ready = self.rollups.ready_names()
        key = (
            self.warehouse.scheme,
            self.catalogue.fingerprint,
            self.fiscal_start_month,
            self.as_of(),
            what,
            json.dumps(compiled_for.to_dict(), sort_keys=True),
            tuple(sorted(state.counts)),
            self.rollups.enabled,
            ready,
            "shown-sql-1",  # plans carry the canonical-table SQL shown beside a pre-aggregated answer
        )
        # DuckDB plans run as SQL text, so every layer in the process can share them
        plans = _SHARED_PLANS if duckdb else self._plans
        plan = plans.get(key)
        if plan is None and duckdb and (stored := self.plan_store.get(key)):
            plan = Plan(None, stored["sql"], stored["meta"])
        if plan is None:
            plan = self._compiling(ready, compile_for, compiled_for)
            if MEMTABLE not in plan.sql and duckdb:
                self.plan_store.put(key, plan.sql, plan.meta)
        if MEMTABLE not in plan.sql:
            if len(plans) >= 2048:
                plans.pop(next(iter(plans)))
            plans[key] = plan
        if shaped:
            bound = bind(plan, bindings, scope)
            if bound is None or MEMTABLE in plan.sql:
                bound = self._compiling(ready, compile_for, scope)
            plan = bound
        return execute_plan(self, plan)

    def _compiling(self, ready: tuple[str, ...], compile_for: Callable[[Scope], Plan], scope: Scope) -> Plan:
        """``compile_for(scope)`` reading exactly the rollups ``ready`` names (the plan's key)."""
        outer = getattr(self._local, "ready", None)
        self._local.ready = ready
        try:
            return compile_for(scope)
        finally:
            self._local.ready = outer

    def _rollup_ready(self, spec: RollupSpec) -> bool:
        ready = getattr(self._local, "ready", None)
        return spec.name in ready if ready is not None else self.rollups.ready(spec)

    def shaped(
        self, key: tuple[Any, ...], scope: Scope, build: Callable[[Scope], ibis.Expr]
    ) -> tuple[str, pd.DataFrame]:
        """(exact SQL, rows) of ``build(scope)``, an expression over :meth:`scoped_table`.

        On DuckDB the expression is compiled once per (``key``, scope shape, tables present) and
        the scope's values are bound into the SQL (:mod:`revintel.semantic.shapes`); ``key`` must
        name everything else ``build`` depends on (a date, a window). Rows are cached per data
        version like every other query.
        """
        return self.shaped_with(key, scope, lambda s, _: build(s), {})

    def shaped_with(
        self,
        key: tuple[Any, ...],
        scope: Scope,
        build: Callable[[Scope, dict[str, str]], ibis.Expr],
        params: dict[str, str],
    ) -> tuple[str, pd.DataFrame]:
        """:meth:`shaped` for an expression that also depends on string ``params`` (one customer's id).

        ``build(scope, values)`` receives ``params``' names mapped either to their values or, when
        compiling once per shape, to placeholder strings that are bound like the scope's values; its
        result must not depend on the values beyond using them as literals. ``key`` need not name them.
        """
        from revintel.semantic.shapes import PLACEHOLDER, bind_sql, param_marks, shape_of

        if self.warehouse.scheme != "duckdb" or any(PLACEHOLDER in v for v in params.values()):
            return self.run(build(scope, params))
        compiled_for, bindings = shape_of(scope)
        marks = param_marks(params)
        k = (
            "shaped",
            self.catalogue.fingerprint,
            *key,
            tuple(sorted(params)),
            json.dumps(compiled_for.to_dict(), sort_keys=True),
            tuple(sorted(self.state().counts)),
        )
        sql = _SHARED_SQL.get(k)
        if sql is None and (stored := self.plan_store.get(k)):
            sql = stored["sql"]
        if sql is None:
            sql = self.runner.compile(build(compiled_for, {name: m for m, name in marks.items()}))
            if MEMTABLE in sql:
                return self.run(build(scope, params))
            self.plan_store.put(k, sql, {})
        if len(_SHARED_SQL) >= 2048:
            _SHARED_SQL.pop(next(iter(_SHARED_SQL)))
        _SHARED_SQL[k] = sql
        bound = bind_sql(sql, bindings | {m: params[name] for m, name in marks.items()})
        return self.run(build(scope, params)) if bound is None else self.run(None, bound)  # type: ignore[arg-type]

    def metric_table(
        self, metric: Metric, sl: Slice, shift_months: int = 0, period: Period | None = None
    ) -> ibis.Table:
        """One metric over a slice: keys (``__bucket`` and dimension ids) + a column named by its id."""
        if metric.domain not in sl.scope.domains:
            raise Forbidden(
                f"your role cannot see {metric.domain} metrics such as {metric.id}",
                details={"metric": metric.id, "domain": metric.domain},
            )
        period = period if period is not None else sl.period
        if metric.is_composite:
            return self._composite(metric, sl, shift_months, period)
        assert metric.table is not None and metric.formula is not None
        dim_cols = {d: self.catalogue.dimension(d).column for d in sl.dims}
        filt_cols = {d: self.catalogue.dimension(d).column for d, _ in sl.filters}
        t, formulas = self.source([metric], sl)
        formula = formulas[metric.id]
        for d, values in sl.filters:
            t = t.filter(t[filt_cols[d]].isin(list(values)))
        if metric.where:
            t = t.filter(expr.translate_over(metric.where, t))
        if metric.latest_by:
            rank = ibis.row_number().over(
                group_by=[t[c] for c in metric.latest_by],
                order_by=[ibis.desc(t[metric.latest_order or metric.date])],
            )
            t = t.mutate(__rank=rank).filter(ibis._["__rank"] == 0)
        if period is None and metric.time.kind != "flow":
            period = default_period(self)
        t = place(t, metric, period, sl.grain, self.fiscal_start_month, shift_months)
        value = expr.translate_over(formula, t).cast("float64").name(metric.id)
        groups = ([t[BUCKET]] if sl.grain else []) + [t[dim_cols[d]].name(d) for d in sl.dims]
        return t.group_by(groups).aggregate(value) if groups else t.aggregate(value)

    def source(
        self, metrics: list[Metric], sl: Slice, within: Period | None = None
    ) -> tuple[ibis.Table, dict[str, str]]:
        """The scoped rows ``metrics`` (one table) read for a slice: the rollup when it can answer them
        all, else the scoped base table; and each metric's formula over that source. ``within``: the
        caller reads only these dates (a rollup not built yet is then computed for them alone)."""
        table = metrics[0].table
        assert table is not None
        cols = {self.catalogue.dimension(d).column for d in sl.dims}
        cols |= {self.catalogue.dimension(d).column for d, _ in sl.filters}
        cols |= {self._scope_column(d) for d, _ in sl.scope.rows}
        specs = (
            {self.rollups.spec_for(m, cols) for m in metrics} if self.table_counts().get(table, 0) else {None}
        )
        used = set().union(*(_metric_columns(m) for m in metrics))
        if len(specs) == 1 and (spec := specs.pop()) is not None:
            if self._rollup_ready(spec):
                return self._rollup_scoped(spec, sl.scope), {m.id: rewrite(m.formula or "") for m in metrics}
            # not built for this data version yet: the same partials in one scan of the base table
            base = self.scoped_table(table, sl.scope, cols | used)
            if within is not None:
                d = _date_col(base, spec.date)
                base = base.filter(d.between(ibis.literal(within.start), ibis.literal(within.end)))
            return inline(spec, base, metrics, cols)
        return self.scoped_table(table, sl.scope, cols | used), {m.id: m.formula or "" for m in metrics}

    def _composite(self, metric: Metric, sl: Slice, shift_months: int, period: Period | None) -> ibis.Table:
        assert metric.compose is not None
        refs = sorted(expr.columns_of(metric.compose))
        parts = {r: self.metric_table(self.catalogue.metric(r), sl, shift_months, period) for r in refs}
        joined = join_parts(list(parts.values()), sl.keys)
        # a sum or count with no rows in a slice is 0 there, not unknown (churn 0 in a region)
        values = {
            r: joined[r].fill_null(0) if _additive(self.catalogue.metric(r)) else joined[r] for r in refs
        }
        value = expr.translate_values(metric.compose, values)
        return joined.select(*[joined[k] for k in sl.keys], value.cast("float64").name(metric.id))


def _metric_columns(metric: Metric) -> set[str]:
    cols: set[str] = set()
    for text in (metric.formula, metric.where, metric.time.open_when):
        if text:
            cols |= expr.columns_of(text)
    for c in (
        metric.date,
        metric.time.valid_from,
        metric.time.valid_to,
        metric.latest_order,
        *metric.latest_by,
    ):
        if c:
            cols.add(c)
    return cols


def _additive(metric: Metric) -> bool:
    """Whether a metric is one plain sum or count (so 'no rows' means zero)."""
    if not metric.formula:
        return False
    tree = expr.parse(metric.formula)
    return isinstance(tree, exp.Sum | exp.Count)


def default_period(layer: SemanticLayer) -> Period:
    """The period used when a snapshot, composite or comparison needs one and none was given: YTD."""
    return parse_period("ytd", layer.as_of(), layer.fiscal_start_month)


def join_parts(parts: list[ibis.Table], keys: list[str]) -> ibis.Table:
    """Full-outer-join metric tables on their keys (null-safe), keeping every key combination."""
    if len(parts) == 1:
        return parts[0]
    if not keys:
        out = parts[0]
        for p in parts[1:]:
            out = out.cross_join(p)
        return out
    parts = [_nullable_keys(p, keys) for p in parts]
    spine = ibis.union(*(p.select(*keys) for p in parts), distinct=True)
    carried: list[str] = []
    for p in parts:
        values = [c for c in p.columns if c not in keys]
        j = spine.left_join(p, [spine[k].identical_to(p[k]) for k in keys])
        spine = j.select(*[spine[k] for k in keys], *[spine[c] for c in carried], *[p[c] for c in values])
        carried += values
    return spine


def _nullable_keys(t: ibis.Table, keys: list[str]) -> ibis.Table:
    """Key columns typed nullable, so parts from NOT NULL and nullable columns can be unioned."""
    casts = {k: t[k].cast(t[k].type().copy(nullable=True)) for k in keys if not t[k].type().nullable}
    return t.mutate(**casts) if casts else t


def check_grain(grain: str | None) -> str | None:
    if grain is None:
        return None
    if grain not in GRAINS:
        raise InvalidRequest(f"unknown time grain {grain!r}", hint=nearest(grain, GRAINS))
    return grain
