"""The SQL guard: the only door for SQL written outside the compiler (an analyst, an LLM).

A statement is parsed by sqlglot into an AST and accepted only when it is:

* exactly one read-only query (``SELECT``, ``WITH ... SELECT`` or a set operation of selects);
* over the governed views only (the canonical data tables, each seen through the caller's scope),
  with no schema/catalog qualifiers, no table functions, no file paths;
* free of functions outside an allowlist (no ``read_csv``, ``getenv``, ``current_setting`` ...),
  of ``SELECT ... INTO``, row locks, pragmas and commands;
* referring only to columns that exist (sqlglot's qualifier checks every column);

then its governed table references are replaced by scoped subqueries, a ``LIMIT`` is forced, and
it is transpiled to the backend's dialect. Nothing here executes SQL: see
:mod:`revintel.ask.governed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from revintel.errors import UnsafeSql

#: Query roots that may be run.
_QUERY_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)

#: Node types refused wherever they appear in the tree.
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "Command",
        "Pragma",
        "Copy",
        "Into",
        "Lock",
        "Set",
        "Use",
        "Describe",
        "Attach",
        "Detach",
        "Install",
        "Load",
        "Transaction",
        "Commit",
        "Rollback",
        "Grant",
        "Revoke",
        "Export",
        "TruncateTable",
        "Summarize",
        "Analyze",
        "LoadData",
        "Placeholder",
        "Parameter",
        "SessionParameter",
        "UserDefinedFunction",
        "Lateral",
    )
    if hasattr(exp, name)
)

#: Known sqlglot function classes refused even though sqlglot understands them.
_FORBIDDEN_FUNCS = frozenset(
    {
        "ReadCSV",
        "ReadParquet",
        "ReadJSON",
        "ReadText",
        "ReadBlob",
        "Explode",
        "ExplodeOuter",
        "Posexplode",
        "Inline",
        "Generator",
        "GenerateSeries",
        "ExplodingGenerateSeries",
        "CurrentUser",
        "SessionUser",
        "CurrentSchema",
        "CurrentCatalog",
        "Uuid",
        "Rand",
        "Random",
        "Randn",
        "ParseJSON",
        "JSONExtract",
        "Sleep",
    }
)

#: Functions sqlglot does not model (``exp.Anonymous``) that are still safe to allow.
_SAFE_ANONYMOUS = frozenset(
    {
        "date_diff",
        "datediff",
        "date_sub",
        "date_add",
        "make_date",
        "last_day",
        "dayname",
        "monthname",
        "quarter",
        "yearweek",
        "isoyear",
        "greatest",
        "least",
        "nullif",
        "ifnull",
        "coalesce",
        "round_even",
        "fsum",
        "median",
        "mode",
        "quantile_cont",
        "quantile_disc",
        "arg_max",
        "arg_min",
        "bool_and",
        "bool_or",
        "string_agg",
        "list_aggregate",
        "trunc",
        "ceil",
        "floor",
        "sign",
        "abs",
        "strftime",
        "strptime",
        "epoch",
        "century",
        "decade",
        "week",
        "weekofyear",
        "dayofweek",
        "dayofyear",
        "regexp_matches",
        "contains",
        "starts_with",
        "ends_with",
        "lcase",
        "ucase",
    }
)


@dataclass
class CheckedSql:
    """A statement the guard accepted, before scoping.

    Attributes:
        ast: the qualified AST (columns resolved, ``LIMIT`` forced), governed names unchanged.
        tables: governed views the statement reads.
        columns: per governed view, the columns it reads.
        limit: the row limit in force.
    """

    ast: exp.Expression
    tables: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)
    limit: int = 0

    def sql(self, dialect: str = "duckdb") -> str:
        return self.ast.sql(dialect=dialect)


def _refuse(reason: str, sql: str, hint: str | None = None, **details: object) -> UnsafeSql:
    return UnsafeSql(f"SQL refused: {reason}", hint=hint, details={"reason": reason, "sql": sql, **details})


class SqlGuard:
    """Validates and rewrites outside SQL against a set of governed views.

    Args:
        views: governed view name -> {column name: sqlglot type name}.
        row_limit: the largest number of rows any statement may return.
        read_dialect: dialect the incoming SQL is written in.
    """

    def __init__(
        self, views: Mapping[str, Mapping[str, str]], *, row_limit: int = 10_000, read_dialect: str = "duckdb"
    ):
        self.views = {k.lower(): dict(v) for k, v in views.items()}
        self.row_limit = row_limit
        self.read_dialect = read_dialect

    # --- checking ---------------------------------------------------------------------------------
    def check(self, sql: str) -> CheckedSql:
        """Parse and validate ``sql``; raise :class:`UnsafeSql` with the reason when refused."""
        ast = self._parse_one(sql)
        self._check_nodes(ast, sql)
        cte_names = self._check_tables(ast, sql)
        try:
            qualified = qualify(
                ast.copy(),
                schema=cast("dict[str, object]", self.views),  # read only: invariance, not a wrong type
                dialect=self.read_dialect,
                validate_qualify_columns=True,
                quote_identifiers=True,
                identify=False,
            )
        except OptimizeError as exc:
            raise _refuse(
                f"unknown column or table ({exc})",
                sql,
                hint="only the columns of the governed views can be used: " + ", ".join(sorted(self.views)),
            ) from None
        checked = CheckedSql(ast=qualified, limit=self.row_limit)
        for tbl in qualified.find_all(exp.Table):
            if tbl.name.lower() in self.views and tbl.name.lower() not in cte_names:
                checked.tables.add(tbl.name.lower())
        for col in qualified.find_all(exp.Column):
            source = self._column_source(qualified, col)
            if source:
                checked.columns.setdefault(source, set()).add(col.name)
        checked.ast = self._force_limit(qualified)
        return checked

    def _parse_one(self, sql: str) -> exp.Expression:
        if not sql or not sql.strip():
            raise _refuse("empty statement", sql)
        try:
            statements = [s for s in sqlglot.parse(sql, read=self.read_dialect) if s is not None]
        except ParseError as exc:
            err = (exc.errors or [{}])[0]
            raise _refuse(
                "it does not parse",
                sql,
                hint=err.get("description"),
                line=err.get("line"),
                column=err.get("col"),
            ) from None
        if len(statements) != 1:
            raise _refuse(f"exactly one statement is allowed, found {len(statements)}", sql)
        ast = statements[0]
        if not isinstance(ast, _QUERY_ROOTS):
            raise _refuse(f"only SELECT queries are allowed, not {ast.key.upper()}", sql)
        return ast

    def _check_nodes(self, ast: exp.Expression, sql: str) -> None:
        for node in ast.walk():
            if isinstance(node, _FORBIDDEN_NODES):
                raise _refuse(f"{node.key.upper()} is not allowed", sql, node=node.sql()[:200])
            if isinstance(node, exp.Anonymous):
                name = str(node.name).lower()
                if name not in _SAFE_ANONYMOUS:
                    raise _refuse(f"function {name}() is not allowed", sql, function=name)
            elif isinstance(node, exp.Func) and type(node).__name__ in _FORBIDDEN_FUNCS:
                raise _refuse(
                    f"function {node.sql_name().lower()}() is not allowed",
                    sql,
                    function=node.sql_name().lower(),
                )
            if isinstance(node, exp.Select) and node.args.get("into"):
                raise _refuse("SELECT INTO is not allowed", sql)

    def _check_tables(self, ast: exp.Expression, sql: str) -> set[str]:
        cte_names = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}
        clash = cte_names & set(self.views)
        if clash:
            names = ", ".join(sorted(clash))
            raise _refuse(f"a CTE may not reuse the name of a governed view ({names})", sql)
        for tbl in ast.find_all(exp.Table):
            if not isinstance(tbl.this, exp.Identifier):
                raise _refuse("table functions are not allowed", sql, node=tbl.sql()[:200])
            if tbl.args.get("db") or tbl.args.get("catalog"):
                raise _refuse(
                    f"qualified table names are not allowed ({tbl.sql()})",
                    sql,
                    hint="name a governed view directly, e.g. opportunities",
                )
            name = tbl.name.lower()
            if name not in self.views and name not in cte_names:
                raise _refuse(
                    f"{tbl.name!r} is not a governed view",
                    sql,
                    table=tbl.name,
                    hint="governed views: " + ", ".join(sorted(self.views)),
                )
        return cte_names

    @staticmethod
    def _column_source(ast: exp.Expression, col: exp.Column) -> str | None:
        alias = col.table
        if not alias:
            return None
        for tbl in ast.find_all(exp.Table):
            if tbl.alias_or_name == alias:
                return tbl.name.lower()
        return None

    def _force_limit(self, ast: exp.Expression) -> exp.Expression:
        if isinstance(ast, exp.Select):
            current = ast.args.get("limit")
            value = None
            if current is not None:
                lit = current.args.get("expression")
                if isinstance(lit, exp.Literal) and not lit.is_string:
                    value = int(lit.this)
            if value is None or value > self.row_limit:
                return ast.limit(self.row_limit if value is None else min(value, self.row_limit), copy=False)
            return ast
        # check() only admits _QUERY_ROOTS, which are all exp.Query
        return exp.select("*").from_(cast(exp.Query, ast).subquery("_q")).limit(self.row_limit)

    # --- scoping ----------------------------------------------------------------------------------
    def scoped(self, checked: CheckedSql, scoped_asts: Mapping[str, exp.Expr]) -> exp.Expression:
        """``checked`` with each governed view replaced by its scoped subquery AST."""
        ast = checked.ast.copy()
        cte_names = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}

        def swap(node: exp.Expression) -> exp.Expression:
            if (
                isinstance(node, exp.Table)
                and node.name.lower() in scoped_asts
                and node.name.lower() not in cte_names
            ):
                sub = scoped_asts[node.name.lower()].copy()
                alias = exp.TableAlias(this=exp.to_identifier(node.alias_or_name))
                return exp.Subquery(this=sub, alias=alias)
            return node

        return ast.transform(swap, copy=False)
