"""Run outside SQL (an analyst's, an LLM's) through the guard, in the caller's scope.

``run_governed_sql`` is the one entry point used by ``revintel sql``, ``POST /api/sql`` and the
LLM provider's SQL fallback. The flow:

1. :class:`~revintel.ask.sqlguard.SqlGuard` parses and checks the statement against the governed
   views (each canonical data table as ``scoped_table(name, scope)`` shows it: scope filters
   applied, dimension columns joined).
2. Each governed view referenced is compiled by Ibis (our own SQL, never the user's) and spliced
   in as a scoped subquery at AST level; the composed statement is transpiled to the backend.
3. On DuckDB the user's statement never runs on the warehouse connection: the referenced scoped
   views (only the columns used) are handed as Arrow to a separate in-memory DuckDB opened with
   ``enable_external_access=false`` and ``lock_configuration=true``, where the statement runs
   under a timeout (the connection is interrupted when it expires). Other backends run the
   composed SQL through the backend.

Every run, accepted or refused, is written to the audit log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlglot

from revintel.ask.sqlguard import CheckedSql, SqlGuard
from revintel.errors import Forbidden, InvalidRequest, UnsafeSql, WarehouseError
from revintel.scope import Scope
from revintel.warehouse.schema import DATA_TABLES

if TYPE_CHECKING:
    import ibis

    from revintel.runtime import Runtime

ScopedTable = Callable[[str, Scope], "ibis.Table"]


@dataclass
class SqlResult:
    """The rows of a governed statement and how they were produced."""

    columns: list[str]
    rows: list[list[Any]]
    sql: str
    scope: dict[str, Any]
    tables: list[str]
    limit: int
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "sql": self.sql,
            "scope": self.scope,
            "tables": self.tables,
            "limit": self.limit,
            "truncated": self.truncated,
            "row_count": len(self.rows),
        }


def _sql_type(dtype: Any) -> str:
    if dtype.is_string():
        return "TEXT"
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_floating() or dtype.is_decimal():
        return "DOUBLE"
    if dtype.is_timestamp():
        return "TIMESTAMP"
    if dtype.is_date():
        return "DATE"
    if dtype.is_boolean():
        return "BOOLEAN"
    return "TEXT"


def governed_views(
    scoped_table: ScopedTable, scope: Scope, tables: set[str] | None = None
) -> dict[str, dict[str, str]]:
    """Governed view name -> {column: SQL type}, as the caller's scope sees them.

    ``tables``: the tables the caller's metric domains open (default: every data table).
    """
    out: dict[str, dict[str, str]] = {}
    for name in DATA_TABLES:
        if tables is not None and name not in tables:
            continue
        try:
            schema = scoped_table(name, scope).schema()
        except Forbidden:  # the scope cannot be applied to this table: it is not a view for this caller
            continue
        out[name] = {col: _sql_type(dtype) for col, dtype in schema.items()}
    return out


class GovernedSql:
    """Guarded, scoped execution of outside SQL against one warehouse."""

    def __init__(self, rt: Runtime, scoped_table: ScopedTable | None = None):
        self.rt = rt
        self._scoped_table = scoped_table

    @property
    def scoped_table(self) -> ScopedTable:
        if self._scoped_table is None:
            self._scoped_table = self.rt.semantic.scoped_table  # type: ignore[attr-defined]
        return self._scoped_table

    def check(self, sql: str, scope: Scope, limit: int | None = None) -> tuple[SqlGuard, CheckedSql]:
        row_limit = min(limit or self.rt.settings.sql_row_limit, self.rt.settings.sql_row_limit)
        if row_limit < 1:
            raise InvalidRequest("limit must be at least 1")
        from revintel.semantic.domains import open_tables

        opened = open_tables(self.rt.catalogue, scope)  # type: ignore[attr-defined]
        guard = SqlGuard(governed_views(self.scoped_table, scope, opened), row_limit=row_limit)
        return guard, guard.check(sql)

    def run(self, sql: str, scope: Scope, *, actor: str = "system", limit: int | None = None) -> SqlResult:
        """Check, scope and run ``sql``; audit-log the attempt. Raises :class:`UnsafeSql` when refused."""
        from revintel.appdb.audit import record

        try:
            guard, checked = self.check(sql, scope, limit)
        except UnsafeSql as exc:
            record(
                self.rt.appdb,
                actor=actor,
                action="sql",
                scope=scope,
                outcome="denied",
                target=str(exc.details.get("table")) if exc.details.get("table") else None,
                detail={"reason": exc.details.get("reason")},
                sql=sql,
            )
            raise
        wh = self.rt.warehouse
        scoped_exprs = {
            name: self._projected(name, scope, checked.columns.get(name)) for name in checked.tables
        }
        scoped_asts = {n: sqlglot.parse_one(wh.compile(e), read=wh.dialect) for n, e in scoped_exprs.items()}
        composed = guard.scoped(checked, scoped_asts).sql(dialect=wh.dialect, pretty=True)
        if wh.scheme == "duckdb":
            columns, rows = self._run_sandboxed(checked, scoped_exprs)
        else:
            df = wh.execute(wh.con.sql(composed, dialect=wh.dialect))
            columns, rows = list(df.columns), df.astype(object).where(df.notna(), None).values.tolist()
        result = SqlResult(
            columns=columns,
            rows=rows,
            sql=composed,
            scope=scope.to_dict(),
            tables=sorted(checked.tables),
            limit=checked.limit,
            truncated=len(rows) >= checked.limit,
        )
        record(
            self.rt.appdb,
            actor=actor,
            action="sql",
            scope=scope,
            target=",".join(result.tables),
            sql=composed,
            rows=len(rows),
        )
        return result

    def _projected(self, name: str, scope: Scope, columns: set[str] | None) -> ibis.Table:
        t = self.scoped_table(name, scope)
        if columns:
            keep = [c for c in t.columns if c in columns]
            if keep:
                return t.select(*keep)
        return t

    def _run_sandboxed(self, checked: CheckedSql, scoped_exprs: dict[str, ibis.Table]) -> tuple[list, list]:
        import duckdb

        sandbox = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 1})
        try:
            for name, expr in scoped_exprs.items():
                sandbox.register(name, self.rt.warehouse.to_arrow(expr))
            sandbox.execute("SET lock_configuration = true")
            timeout = self.rt.settings.query_timeout_seconds
            timer = threading.Timer(timeout, sandbox.interrupt)
            timer.start()
            try:
                cur = sandbox.execute(checked.sql("duckdb"))
                columns = [d[0] for d in cur.description]
                rows = [list(r) for r in cur.fetchall()]
            except duckdb.InterruptException:
                raise WarehouseError(
                    f"the query ran longer than {timeout:g} s and was stopped",
                    hint="add filters or aggregate; REVINTEL_QUERY_TIMEOUT_SECONDS sets the limit",
                ) from None
            except duckdb.Error as exc:
                raise InvalidRequest(f"the query failed: {exc}") from None
            finally:
                timer.cancel()
            return columns, rows
        finally:
            sandbox.close()
