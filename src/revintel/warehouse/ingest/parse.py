"""Typing text columns read from exports: numbers, percentages, booleans and dates in any of the
formats CRM exports use, detected per column.

A date column is tried against ISO (``2024-01-31``, ``2024-01-19T09:42:24.000+0000``) and US
(``01/31/24``, ``01/31/2024 08:55 PM``) formats; the first format that reads every value of the
column wins, so ``02/03/24`` is never half-read as ISO and half as US. A value no format reads is
a located :class:`~revintel.errors.Problem`. All of it is one vectorised query per column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlglot import exp

from revintel.errors import Problem
from revintel.warehouse.ingest.readers import (
    EXAMPLES,
    Problems,
    Scratch,
    SourceFile,
    check_unique,
    col,
    read_csv,
    table_ref,
)

Kind = Literal["string", "float", "int", "bool", "date", "timestamp", "percent"]

#: Tried in order; the first that reads every non-empty value of a column is used.
DATETIME_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S.%g%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%g",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M",
)
EXPECTED = {
    "float": "a number, e.g. 1250.50",
    "percent": "a percentage 0-100, e.g. 75",
    "int": "a whole number, e.g. 42",
    "bool": "true/false, 1/0 or yes/no",
    "date": "a date, YYYY-MM-DD or MM/DD/YY",
    "timestamp": "a date and time, ISO 8601 or MM/DD/YY HH:MM AM",
}
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")


@dataclass(frozen=True)
class Field:
    """How one source column is typed: its kind and whether it must have a value."""

    kind: Kind
    required: bool = False


def _text(name: str) -> exp.Expr:
    """The trimmed value, NULL when empty."""
    return exp.func("nullif", exp.func("trim", col(name)), exp.Literal.string(""))


def _strs(values: tuple[str, ...]) -> list[exp.Expr]:
    return [exp.Literal.string(v) for v in values]


def _typed(name: str, kind: Kind, fmt: str | None) -> exp.Expr:
    v = _text(name)
    if kind in ("float", "percent"):
        number = exp.TryCast(
            this=exp.func("replace", v, exp.Literal.string(","), exp.Literal.string("")),
            to=exp.DataType.build("DOUBLE"),
        )
        return exp.Div(this=number, expression=exp.Literal.number(100)) if kind == "percent" else number
    if kind == "int":
        return exp.TryCast(
            this=exp.TryCast(this=v, to=exp.DataType.build("DOUBLE")), to=exp.DataType.build("BIGINT")
        )
    if kind == "bool":
        low = exp.func("lower", v)
        return exp.Case(
            ifs=[
                exp.If(this=exp.In(this=low, expressions=_strs(_TRUE)), true=exp.true()),
                exp.If(this=exp.In(this=low, expressions=_strs(_FALSE)), true=exp.false()),
            ]
        )
    if kind in ("date", "timestamp"):
        parsed = exp.Cast(
            this=exp.func("try_strptime", v, exp.Literal.string(fmt or DATETIME_FORMATS[0])),
            to=exp.DataType.build("TIMESTAMP"),
        )
        return exp.Cast(this=parsed, to=exp.DataType.build("DATE")) if kind == "date" else parsed
    return v


def _bad(name: str, kind: Kind, fmt: str | None) -> exp.Expr:
    """True where a value is present but does not parse as ``kind``."""
    bad = exp.and_(_text(name).is_(exp.null()).not_(), _typed(name, kind, fmt).is_(exp.null()))
    if kind == "percent":  # a percentage must be 0-100
        number = _typed(name, "float", None)
        bad = exp.or_(
            bad,
            exp.and_(
                number.is_(exp.null()).not_(),
                exp.or_(
                    exp.LT(this=number, expression=exp.Literal.number(0)),
                    exp.GT(this=number, expression=exp.Literal.number(100)),
                ),
            ),
        )
    return bad


def _count_if(cond: exp.Expr) -> exp.Expr:
    return exp.func("count_if", cond)


def detect_format(scratch: Scratch, table: str, name: str) -> tuple[str, int]:
    """The first format reading every value of a date/time column (or the one failing least)."""
    query = exp.select(*[_count_if(_bad(name, "timestamp", f)) for f in DATETIME_FORMATS]).from_(
        table_ref(table)
    )
    fails = scratch.con.execute(query.sql("duckdb")).fetchall()[0]
    best = min(range(len(DATETIME_FORMATS)), key=lambda i: (fails[i], i))  # type: ignore[index]
    return DATETIME_FORMATS[best], int(fails[best])  # type: ignore[index]


def convert(
    scratch: Scratch, src: SourceFile, fields: dict[str, Field], problems: Problems, name: str | None = None
) -> str:
    """Type the ``fields`` columns of a text scratch table; report values that do not parse.

    Columns are matched case-insensitively; fields absent from the file are NULL columns (the
    caller checked required columns first). Other columns of the file are kept as text.

    Returns:
        Name of the new scratch table (``name`` when given), with one column per field (named as
        in ``fields``) plus ``_line`` (the line in the file).
    """
    have = {c.lower(): c for c in src.columns}
    line = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(2))
    select: list[exp.Expr] = [line.as_("_line")]
    for field_name, f in fields.items():
        actual = have.get(field_name.lower())
        if actual is None:
            select.append(exp.Cast(this=exp.null(), to=exp.DataType.build(_sql_type(f.kind))).as_(field_name))
            continue
        fmt = None
        if f.kind in ("date", "timestamp"):
            fmt, _ = detect_format(scratch, src.table, actual)
        _report_bad(scratch, src, actual, f, fmt, problems)
        select.append(_typed(actual, f.kind, fmt).as_(field_name))
    out = name or scratch.fresh("typed")
    query = exp.select(*select).from_(table_ref(src.table))
    scratch.con.execute(exp.Create(this=table_ref(out), kind="TABLE", expression=query).sql("duckdb"))
    return out


def _sql_type(kind: Kind) -> str:
    return {
        "float": "DOUBLE",
        "percent": "DOUBLE",
        "int": "BIGINT",
        "bool": "BOOLEAN",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }.get(kind, "VARCHAR")


def _report_bad(
    scratch: Scratch, src: SourceFile, name: str, f: Field, fmt: str | None, problems: Problems
) -> None:
    conds = [] if f.kind == "string" else [_bad(name, f.kind, fmt)]
    if f.required:
        conds.append(_text(name).is_(exp.null()))
    if not conds:
        return
    cond = exp.or_(*conds) if len(conds) > 1 else conds[0]
    line = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(2))
    base = exp.select(line.as_("line"), col(name).as_("value")).from_(table_ref(src.table)).where(cond)
    total = scratch.con.execute(
        exp.select(exp.func("count", exp.Star())).from_(base.subquery("b")).sql("duckdb")
    ).fetchall()[0][0]  # type: ignore[index]
    if not total:
        return
    rows = scratch.con.execute(base.order_by("line").limit(EXAMPLES).sql("duckdb")).fetchall()
    expected = EXPECTED.get(f.kind, "a value")
    examples = [
        Problem(
            "value missing" if value is None or not str(value).strip() else "value does not parse",
            file=src.label,
            line=int(ln),
            column=name,
            value=value,
            expected=expected if f.kind != "string" else "a value",
        )
        for ln, value in rows
    ]
    problems.add_counted(examples, int(total))


def read_export(
    scratch: Scratch,
    path: Path,
    problems: Problems,
    fields: dict[str, Field],
    *,
    name: str,
    required_columns: list[str],
    key: list[str] | None = None,
) -> SourceFile | None:
    """Read one export file as text, check its header and key, and type its ``fields``.

    Args:
        scratch: The scratch connection.
        path: The CSV file.
        problems: Collector for problems.
        fields: Columns to type (see :func:`convert`).
        name: Name of the typed scratch table to create.
        required_columns: Columns that must be in the header.
        key: Primary-key columns that must be unique.

    Returns:
        The text file read (its typed table is ``name``), or ``None`` when unusable.
    """
    before = problems.total
    src = read_csv(scratch, path, problems, required=required_columns)
    if src is None:
        return None
    if problems.total > before:  # rows were rejected: record-based line numbers would be off
        return src
    by_lower = {c.lower(): c for c in src.columns}
    if key:
        check_unique(
            scratch, src.table, [by_lower[k.lower()] for k in key if k.lower() in by_lower], path, problems
        )
    convert(scratch, src, fields, problems, name=name)
    return src


def empty_typed(scratch: Scratch, name: str, fields: dict[str, Field]) -> None:
    """Create ``name`` with the typed ``fields`` (and ``_line``) and no rows, for an absent file."""
    select = [exp.Cast(this=exp.null(), to=exp.DataType.build("BIGINT")).as_("_line")] + [
        exp.Cast(this=exp.null(), to=exp.DataType.build(_sql_type(f.kind))).as_(n, quoted=True)
        for n, f in fields.items()
    ]
    query = exp.select(*select).where(exp.false())
    scratch.con.execute(exp.Create(this=table_ref(name), kind="TABLE", expression=query).sql("duckdb"))
