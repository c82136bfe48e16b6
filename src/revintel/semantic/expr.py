"""Metric formulas: a small, safe subset of SQL translated into Ibis expressions.

Catalogue formulas are written as SQL aggregate expressions over the columns of a scoped table
(``sum(amount) FILTER (WHERE status = 'won')``, ``count(*) FILTER (WHERE status = 'won') /
count(*) FILTER (WHERE status IN ('won', 'lost'))``). They are parsed by sqlglot into an AST and
translated node by node into Ibis, so the same definition compiles for every backend. Only the
nodes below are accepted; anything else (subqueries, function calls outside the list) is refused
with the position of the offending node. Division never fails on zero: ``a / b`` is
``a / NULLIF(b, 0)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, cast

import ibis
import sqlglot
from sqlglot import expressions as exp

from revintel.errors import InvalidRequest

Resolver = Callable[[str], ibis.Value]


class FormulaError(InvalidRequest):
    """A catalogue formula uses something the translator does not accept."""


@lru_cache(maxsize=1024)
def parse(text: str) -> exp.Expr:
    """Parse one SQL expression (cached); raises FormulaError on a syntax error."""
    try:
        node = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise FormulaError(f"cannot parse formula {text!r}: {exc.errors[0]['description']}") from None
    return node


def columns_of(text: str) -> set[str]:
    """Column names a formula refers to."""
    return {c.name for c in parse(text).find_all(exp.Column)}


def is_aggregate(text: str) -> bool:
    return any(True for _ in parse(text).find_all(exp.AggFunc))


def translate(
    text: str, resolve: Resolver, table: ibis.Table | None = None, where: ibis.BooleanValue | None = None
) -> ibis.Value:
    """Translate formula ``text`` into an Ibis value, resolving column names with ``resolve``.

    ``table`` is the table ``count(*)`` counts rows of (formulas over metrics have none); ``where``
    is ANDed into every aggregate's filter (so several metrics and periods share one scan).
    """
    return _Translator(resolve, text, table, where).visit(parse(text))


def translate_over(text: str, table: ibis.Table, where: ibis.BooleanValue | None = None) -> ibis.Value:
    """Translate ``text`` against the columns of ``table`` (``where`` filters every aggregate)."""

    def resolve(name: str) -> ibis.Value:
        if name not in table.columns:
            from revintel.text import nearest

            raise FormulaError(
                f"formula {text!r} refers to unknown column {name!r}", hint=nearest(name, table.columns)
            )
        return table[name]

    return translate(text, resolve, table, where)


def translate_values(text: str, values: Mapping[str, ibis.Value]) -> ibis.Value:
    """Translate ``text`` over already-computed named values (composite metrics)."""

    def resolve(name: str) -> ibis.Value:
        if name not in values:
            raise FormulaError(f"formula {text!r} refers to unknown metric {name!r}")
        return values[name]

    return translate(text, resolve)


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
}


class _Translator:
    def __init__(self, resolve: Resolver, text: str, table: ibis.Table | None, where: Any = None):
        self.resolve = resolve
        self.text = text
        self.table = table
        self.where = where

    def fail(self, node: exp.Expr, what: str) -> FormulaError:
        return FormulaError(
            f"formula {self.text!r}: {what}: {node.sql()!r}",
            hint="formulas may use columns, numbers, strings, + - * /, comparisons, AND/OR/NOT, IN, "
            "IS NULL, CASE, COALESCE, NULLIF, date_diff('day', a, b), and sum/avg/count/min/max "
            "with FILTER (WHERE ...)",
        )

    def visit(self, node: exp.Expr) -> Any:
        for kind, fn in _BINARY.items():
            if type(node) is kind:
                binary = cast(exp.Binary, node)  # every _BINARY key is an exp.Binary subclass
                return fn(self.visit(binary.left), self.visit(binary.right))
        method = getattr(self, f"v_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{type(node).__name__} is not allowed")
        return method(node)

    # --- leaves ------------------------------------------------------------------------------
    def v_Column(self, node: exp.Column) -> Any:
        return self.resolve(node.name)

    def v_Literal(self, node: exp.Literal) -> Any:
        if node.is_string:
            return ibis.literal(node.this)
        text = node.this
        return ibis.literal(float(text) if any(c in text for c in ".eE") else int(text))

    def v_Boolean(self, node: exp.Boolean) -> Any:
        return ibis.literal(bool(node.this))

    def v_Null(self, node: exp.Null) -> Any:
        return ibis.null()

    def v_Paren(self, node: exp.Paren) -> Any:
        return self.visit(node.this)

    def v_Neg(self, node: exp.Neg) -> Any:
        return -self.visit(node.this)

    def v_Not(self, node: exp.Not) -> Any:
        return ~self.visit(node.this)

    def v_Cast(self, node: exp.Cast) -> Any:
        target = node.to.sql(dialect="duckdb").lower()
        if target == "date" and isinstance(node.this, exp.Literal):
            return ibis.literal(dt.date.fromisoformat(node.this.this))
        return self.visit(node.this).cast({"double": "float64", "date": "date"}.get(target, target))

    # --- operators ---------------------------------------------------------------------------
    def v_Div(self, node: exp.Div) -> Any:
        return self.visit(node.left) / self.visit(node.right).nullif(0)

    def v_In(self, node: exp.In) -> Any:
        if node.args.get("query") or node.args.get("unnest"):
            raise self.fail(node, "IN takes a list of values")
        return self.visit(node.this).isin([self._constant(e) for e in node.expressions])

    def v_Is(self, node: exp.Is) -> Any:
        if not isinstance(node.expression, exp.Null):
            raise self.fail(node, "IS only takes NULL")
        return self.visit(node.this).isnull()

    def v_Case(self, node: exp.Case) -> Any:
        if node.this is not None:
            raise self.fail(node, "use CASE WHEN <condition>")
        builder = ibis.cases(
            *[(self.visit(w.this), self.visit(w.args["true"])) for w in node.args["ifs"]],
            else_=self.visit(node.args["default"]) if node.args.get("default") else None,
        )
        return builder

    def v_Coalesce(self, node: exp.Coalesce) -> Any:
        args = [self.visit(node.this), *(self.visit(e) for e in node.expressions)]
        return ibis.coalesce(*args)

    def v_Nullif(self, node: exp.Nullif) -> Any:
        return self.visit(node.this).nullif(self.visit(node.expression))

    def v_DateDiff(self, node: exp.DateDiff) -> Any:
        unit_node = node.args.get("unit")
        unit = (unit_node.name if unit_node else "day").lower()
        if unit not in ("day", "days"):
            raise self.fail(node, "date_diff only counts days")
        # duckdb reads date_diff('day', a, b) as this=b, expression=a: b - a
        return self.visit(node.this).epoch_days() - self.visit(node.expression).epoch_days()

    # --- aggregates --------------------------------------------------------------------------
    def v_Filter(self, node: exp.Filter) -> Any:
        where = self.visit(node.expression.this)
        return self._aggregate(node.this, where)

    def _aggregate(self, node: exp.Expression, where: Any = None) -> Any:
        if self.where is not None:
            where = self.where if where is None else (where & self.where)
        if isinstance(node, exp.Count):
            arg = node.this
            if isinstance(arg, exp.Distinct):
                return self.visit(arg.expressions[0]).nunique(where=where)
            if arg is None or isinstance(arg, exp.Star):
                if self.table is None:
                    raise self.fail(node, "count(*) needs a table")
                return self.table.count(where=where)
            return self.visit(arg).count(where=where)
        ops = {exp.Sum: "sum", exp.Avg: "mean", exp.Min: "min", exp.Max: "max", exp.Median: "median"}
        for kind, name in ops.items():
            if isinstance(node, kind):
                value = self.visit(node.this)
                if name == "median" and where is not None:
                    # Spark's percentile() needs a constant fraction, and Ibis' where= masks it too:
                    # mask the values instead (NULLs are ignored by the median on every backend)
                    return where.ifelse(value, ibis.null(value.type())).median()
                return getattr(value, name)(where=where)
        raise self.fail(node, "only sum, avg, median, count, min and max aggregate")

    def v_Sum(self, node: exp.Expression) -> Any:
        return self._aggregate(node)

    v_Avg = v_Min = v_Max = v_Count = v_Median = v_Sum

    def _constant(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Literal):
            return node.this if node.is_string else float(node.this)
        if isinstance(node, exp.Boolean):
            return bool(node.this)
        raise self.fail(node, "expected a constant")
