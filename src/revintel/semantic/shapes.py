"""Plans compiled once per scope *shape*, with the scope's values bound at run time.

Two regional leads see different rows but run the same query: only the values of their row
filter differ. The compiler therefore compiles a query under a stand-in scope with the same role,
domains and filtered dimensions, whose values are placeholders (one per value, so ``region in
(a, b)`` keeps its shape), and the plan is cached (in memory and in the on-disk plan store) under
that shape. Before a plan runs, each placeholder literal is replaced by the caller's value, quoted
as a SQL string literal, so the SQL shown is exactly the SQL run, and the result's ``scope`` is the
caller's. A plan in which some placeholder does not appear is never used: the query is compiled for
the caller's scope instead, so a scope filter can never be dropped silently.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.semantic.plan import Plan

#: Every placeholder starts with this; a value that contains it is never bound (compiled instead).
PLACEHOLDER = "__revintel_"
_MARK = PLACEHOLDER + "scope_{i}_{j}__"


def shape_of(scope: Scope) -> tuple[Scope, dict[str, str]]:
    """The stand-in scope compiled for ``scope``'s shape, and placeholder -> the caller's value."""
    rows: list[tuple[str, tuple[str, ...]]] = []
    bindings: dict[str, str] = {}
    for i, (dim, values) in enumerate(scope.rows):
        marks = tuple(_MARK.format(i=i, j=j) for j in range(len(values)))
        bindings.update(zip(marks, values, strict=True))
        rows.append((dim, marks))
    return replace(scope, rows=tuple(rows), persona=None), bindings


_PARAM = PLACEHOLDER + "param_{name}__"


def param_marks(params: dict[str, str]) -> dict[str, str]:
    """Placeholder -> parameter name, for values bound into a shaped plan like the scope's
    (:meth:`SemanticLayer.shaped_with`)."""
    return {_PARAM.format(name=name): name for name in params}


def literal(value: str) -> str:
    """``value`` as a SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def bind_sql(sql: str, bindings: dict[str, str]) -> str | None:
    """``sql`` with each placeholder literal replaced by its value; None if one is missing."""
    for mark, value in bindings.items():
        quoted = literal(mark)
        if quoted not in sql:
            return None
        sql = sql.replace(quoted, literal(value))
    return sql


def bind(plan: Plan, bindings: dict[str, str], scope: Scope) -> Plan | None:
    """``plan`` with each placeholder replaced by its value and ``scope`` as its result scope.

    Returns None when a placeholder is missing from the SQL (the caller compiles for ``scope``).
    """
    from revintel.semantic.plan import Plan

    sql = bind_sql(plan.sql, bindings)
    if sql is None:
        return None
    # a shallow copy is enough: execute_plan deep-copies the provenance before handing it out
    meta = {**plan.meta}
    if "shown_sql" in meta:  # the canonical-table SQL shown to the user carries the same scope
        shown = bind_sql(meta["shown_sql"], bindings)
        if shown is None:
            return None
        meta["shown_sql"] = shown
    meta["scope"] = scope.to_dict()
    return Plan(None, sql, meta)
