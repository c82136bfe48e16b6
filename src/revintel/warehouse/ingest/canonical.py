"""The canonical source: one CSV or Parquet file per canonical table, named ``<table>.csv|.parquet``.

Columns are the canonical column names (any case, any order). Required (non-null) columns must be
present; optional ones may be left out (they load as NULL); unknown columns are ignored and
reported as a finding. Types are checked by DuckDB's CSV reader in one vectorised pass: a value
that does not parse, a row with the wrong number of fields, a missing required value or a
duplicate primary key rejects the whole load.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from sqlglot import exp

from revintel.errors import Problem
from revintel.text import nearest
from revintel.warehouse.ingest.base import Extract, LoadedFile, Source, register_source
from revintel.warehouse.ingest.readers import (
    EXAMPLES,
    Problems,
    Scratch,
    SourceFile,
    check_allowed,
    check_minimum,
    check_present,
    check_range,
    check_unique,
    col,
    read_csv,
    sha256,
    table_ref,
)
from revintel.warehouse.quality import Finding
from revintel.warehouse.schema import STAGE_ORDER, STATUSES, TABLES_BY_NAME, Table

DUCK_TYPES = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
SUFFIXES = (".csv", ".parquet")
_STAGES = tuple(STAGE_ORDER)
#: canonical columns with a closed vocabulary
ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    "opportunities": {"stage": _STAGES, "status": STATUSES},
    "opportunity_history": {"stage": _STAGES, "status": STATUSES},
}
#: columns that only hold past dates, used for the dataset's as-of date
AS_OF_COLUMNS = {
    "opportunity_history": "snapshot_date",
    "services_monthly": "month",
    "touchpoints": "touched_at",
    "conversations": "occurred_at",
    "tickets": "created_date",
    "leads": "created_date",
    "usage_monthly": "month",
    "opportunities": "created_date",
}


#: amounts, counts and hours that cannot be below zero (a refund or a credit is not a deal amount)
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "accounts": ("employees", "annual_revenue"),
    "products": ("list_price",),
    "opportunities": ("amount",),
    "opportunity_history": ("amount",),
    "quotas": ("amount",),
    "subscriptions": ("arr",),
    "services_monthly": ("chargeable_hours", "available_hours", "fees", "gross_fee_days", "cost"),
}


def canonical_files(path: Path, problems: Problems) -> dict[str, Path]:
    """Canonical table name -> file, for a folder or a single file."""
    candidates = (
        [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
    )
    found: dict[str, Path] = {}
    for p in candidates:
        name = p.stem.lower()
        spec = TABLES_BY_NAME.get(name)
        if p.suffix.lower() not in SUFFIXES or spec is None or spec.internal:
            problems.add(
                Problem(
                    "file name is not a canonical table",
                    file=p.name,
                    value=p.name,
                    expected="<table>.csv or <table>.parquet"
                    + (
                        f"; did you mean {nearest(name, TABLES_BY_NAME)}?"
                        if nearest(name, TABLES_BY_NAME)
                        else ""
                    ),
                )
            )
        elif name in found:
            problems.add(
                Problem(
                    "two files for one table",
                    file=p.name,
                    value=found[name].name,
                    expected="one file per table",
                )
            )
        else:
            found[name] = p
    return found


@register_source
class CanonicalSource(Source):
    """Files already in the canonical model."""

    name = "canonical"
    description = "a folder of <table>.csv or <table>.parquet files in the canonical model (or one such file)"

    def extract(self, path: Path, scratch: Scratch, problems: Problems) -> Extract:
        out = Extract()
        for name, file in canonical_files(path, problems).items():
            spec = TABLES_BY_NAME[name]
            before = problems.total
            read = (
                _read_parquet(scratch, file, spec, problems)
                if file.suffix.lower() == ".parquet"
                else read_csv(
                    scratch,
                    file,
                    problems,
                    required=[c.name for c in spec.columns if not c.nullable],
                    types={c.name: DUCK_TYPES[c.type] for c in spec.columns},
                    allow_empty=False,  # an empty file would replace the table with nothing
                )
            )
            if read is None:
                continue
            if problems.total > before:  # rejected rows shift record-based line numbers: report these first
                continue
            check_present(
                scratch,
                read.table,
                _actual(read, [c.name for c in spec.columns if not c.nullable]),
                file,
                problems,
            )
            check_unique(scratch, read.table, _actual(read, list(spec.primary_key)), file, problems)
            for column, allowed in ALLOWED.get(name, {}).items():
                if column.lower() in _lower(read):
                    check_allowed(scratch, read.table, _actual(read, [column])[0], allowed, file, problems)
            if name in ("opportunities", "opportunity_history") and "probability" in _lower(read):
                check_range(scratch, read.table, _actual(read, ["probability"])[0], 0, 1, file, problems)
            for column in NON_NEGATIVE.get(name, ()):
                if column in _lower(read):
                    check_minimum(
                        scratch, read.table, _actual(read, [column])[0], 0, file, problems, "0 or more"
                    )
            extra = [c for c in read.columns if c.lower() not in set(spec.column_names)]
            if extra:
                out.findings.append(
                    Finding(
                        "ignored_columns",
                        name,
                        len(extra),
                        severity="info",
                        value=", ".join(extra)[:200],
                        message=f"{len(extra)} column(s) of {file.name} are not in the "
                        f"canonical {name} table and were not loaded",
                    )
                )
            out.tables[name] = _canonical_view(scratch, read, spec)
            out.files.append(LoadedFile(file, read.sha256, name, read.rows))
        if not problems:
            out.as_of = _as_of(scratch, out.tables)
        return out


def _lower(read: SourceFile) -> set[str]:
    return {c.lower() for c in read.columns}


def _actual(read: SourceFile, names: list[str]) -> list[str]:
    by_lower = {c.lower(): c for c in read.columns}
    return [by_lower[n] for n in names if n in by_lower]


def _canonical_view(scratch: Scratch, read: SourceFile, spec: Table) -> str:
    """A view renaming the file's columns to the canonical names (no copy of the rows)."""
    by_lower = {c.lower(): c for c in read.columns}
    select = [col(by_lower[c]).as_(c, quoted=True) for c in spec.column_names if c in by_lower]
    if "source" in spec.column_names and "source" not in by_lower:
        select.append(exp.Literal.string("canonical").as_("source"))
    view = scratch.fresh(spec.name)
    scratch.con.execute(
        exp.Create(
            this=table_ref(view), kind="VIEW", expression=exp.select(*select).from_(table_ref(read.table))
        ).sql("duckdb")
    )
    return view


def _read_parquet(scratch: Scratch, file: Path, spec: Table, problems: Problems) -> SourceFile | None:
    name = scratch.fresh("raw")
    try:
        scratch.con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet($p)", {"p": str(file)})
    except duckdb.Error as exc:
        problems.add(
            Problem(
                f"cannot read as Parquet: {exc}".splitlines()[0], file=file.name, expected="a Parquet file"
            )
        )
        return None
    columns = scratch.columns(name)
    have = {c.lower(): c for c in columns}
    for c in spec.columns:
        if not c.nullable and c.name not in have:
            problems.add(
                Problem(
                    "required column missing",
                    file=file.name,
                    column=c.name,
                    expected=f"a column named {c.name!r}",
                )
            )
    typed = []
    for c in spec.columns:
        if c.name in have:
            cast = exp.TryCast(this=col(have[c.name]), to=exp.DataType.build(DUCK_TYPES[c.type]))
            _report_cast(scratch, name, file, have[c.name], cast, DUCK_TYPES[c.type], problems)
            typed.append(cast.as_(have[c.name], quoted=True))
    out = scratch.fresh("typed")
    scratch.con.execute(
        exp.Create(
            this=table_ref(out), kind="TABLE", expression=exp.select(*typed).from_(table_ref(name))
        ).sql("duckdb")
    )
    return SourceFile(
        file, out, [have[c.name] for c in spec.columns if c.name in have], scratch.count(out), sha256(file)
    )


def _report_cast(
    scratch: Scratch, table: str, file: Path, column: str, cast: exp.Expression, duck: str, problems: Problems
) -> None:
    from revintel.warehouse.ingest.readers import EXPECTED

    row = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(1))
    bad = exp.and_(col(column).is_(exp.null()).not_(), cast.is_(exp.null()))
    rows = scratch.con.execute(
        exp.select(row, exp.Cast(this=col(column), to=exp.DataType.build("VARCHAR")))
        .from_(table_ref(table))
        .where(bad)
        .limit(EXAMPLES)
        .sql("duckdb")
    ).fetchall()
    if rows:
        total = scratch.con.execute(
            exp.select(exp.func("count_if", bad)).from_(table_ref(table)).sql("duckdb")
        ).fetchall()[0][0]  # type: ignore[index]
        problems.add_counted(
            [
                Problem(
                    "value does not convert",
                    file=file.name,
                    line=int(r),
                    column=column,
                    value=v,
                    expected=EXPECTED[duck],
                )
                for r, v in rows
            ],
            int(total),
        )


def _as_of(scratch: Scratch, tables: dict[str, str]) -> dt.date | None:
    """The latest past-only date in the data (a canonical load's "today")."""
    latest: dt.date | None = None
    for name, column in AS_OF_COLUMNS.items():
        if name in tables:
            value = scratch.con.execute(
                exp.select(exp.func("max", col(column))).from_(table_ref(tables[name])).sql("duckdb")
            ).fetchall()[0][0]  # type: ignore[index]
            if isinstance(value, dt.datetime):
                value = value.date()
            if value is not None and (latest is None or value > latest):
                latest = value
    return latest
