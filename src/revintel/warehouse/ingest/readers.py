"""Reading source files into a scratch DuckDB, with every problem located.

All parsing and checking is vectorised in an in-memory DuckDB connection (the *scratch*): a
file is read once by DuckDB's CSV reader with rejects stored, so a bad row costs nothing until it
is reported. Problems are :class:`revintel.errors.Problem` values naming the file, the line
(1-based, the header is line 1), the column, the bad value and what was expected. A check keeps
the first few examples and the total count; the caller raises one
:class:`revintel.errors.ValidationFailed` for the whole input.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from revintel.errors import Problem

#: DuckDB type -> what a user should have written.
EXPECTED = {
    "DOUBLE": "a number, e.g. 1250.5",
    "BIGINT": "a whole number, e.g. 42",
    "DATE": "a date YYYY-MM-DD",
    "TIMESTAMP": "a timestamp YYYY-MM-DD HH:MM:SS",
    "BOOLEAN": "true or false",
    "VARCHAR": "text",
}
EXAMPLES = 20
_OTHER_DELIMITERS = (";", "\t", "|")


def ident(name: str) -> exp.Identifier:
    """A quoted SQL identifier (sqlglot), safe for any column name found in a header."""
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(ident(name), table=table)


def table_ref(name: str) -> exp.Table:
    return exp.to_table(name, quoted=True)


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Problems:
    """Problems found so far, with the true total when only examples were kept."""

    items: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        self.items.append(problem)
        self.total += 1

    def add_counted(self, examples: list[Problem], total: int) -> None:
        self.items.extend(examples)
        self.total += max(total, len(examples))

    def __bool__(self) -> bool:
        return self.total > 0


class Scratch:
    """An in-memory DuckDB connection where files are parsed, validated and mapped."""

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")
        self._ids = itertools.count(1)

    def fresh(self, prefix: str) -> str:
        """A new unique scratch table name."""
        return f"{prefix}_{next(self._ids)}"

    def count(self, table: str) -> int:
        return self.con.execute(
            exp.select(exp.func("count", exp.Star())).from_(table_ref(table)).sql("duckdb")
        ).fetchall()[0][0]  # type: ignore[index]

    def columns(self, table: str) -> list[str]:
        """Column names of a scratch table or view."""
        return list(self.con.sql(exp.select("*").from_(table_ref(table)).limit(0).sql("duckdb")).columns)

    def close(self) -> None:
        self.con.close()


@dataclass
class SourceFile:
    """A file read into the scratch: its scratch table, header and checksum."""

    path: Path
    table: str
    columns: list[str]
    rows: int
    sha256: str

    @property
    def label(self) -> str:
        return self.path.name


_CSV_OPTIONS = "header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true"


def read_header(scratch: Scratch, path: Path, problems: Problems) -> list[str] | None:
    """The column names of a CSV file, or ``None`` (with a problem) when it cannot be a comma CSV."""
    with path.open("rb") as fh:
        first = fh.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(
            Problem(
                "text is not valid UTF-8",
                file=path.name,
                line=1,
                value=first[max(exc.start - 20, 0) : exc.end + 20].decode("latin-1"),
                expected="a UTF-8 encoded file (re-export or save as 'CSV UTF-8')",
            )
        )
        return None
    names = [n.strip() for n in next(csv.reader([text.rstrip("\r\n")]), [])]
    if not any(names):
        problems.add(
            Problem(
                "the file is empty or has no header row",
                file=path.name,
                line=1,
                expected="a header row naming the columns",
            )
        )
        return None
    if len(names) == 1 and any(d in names[0] for d in _OTHER_DELIMITERS):
        delim = next(d for d in _OTHER_DELIMITERS if d in names[0])
        problems.add(
            Problem(
                f"the header is one column: the file looks {delim!r}-separated",
                file=path.name,
                line=1,
                value=names[0][:120],
                expected="comma-separated values (save the file as CSV with ',')",
            )
        )
        return None
    return names


def check_columns(path: Path, header: list[str], required: list[str], problems: Problems) -> bool:
    """Report every required column missing from ``header``; True when all are there."""
    have = {h.strip().lower() for h in header}
    missing = [c for c in required if c.lower() not in have]
    for name in missing:
        problems.add(
            Problem(
                "required column missing",
                file=path.name,
                line=1,
                column=name,
                expected=f"a column named {name!r} in the header",
            )
        )
    return not missing


def read_csv(
    scratch: Scratch,
    path: Path,
    problems: Problems,
    *,
    required: list[str] | None = None,
    types: dict[str, str] | None = None,
    allow_empty: bool = True,
) -> SourceFile | None:
    """Read a CSV file into a scratch table, reporting structural and type problems.

    Args:
        scratch: The scratch connection.
        path: File to read (UTF-8, optional BOM, comma-separated, header row).
        problems: Collector the problems are added to.
        required: Columns that must be in the header.
        types: DuckDB type per column name (others are read as VARCHAR). Values that do not
            parse are reported with their line; nothing is coerced silently.
        allow_empty: When False, a file with a header and no rows is a problem (where loading it
            would replace a table with nothing).

    Returns:
        The file read, or ``None`` when its header is unusable.
    """
    header = read_header(scratch, path, problems)
    if header is None or not check_columns(path, header, required or [], problems):
        return None
    lowered = {k.lower(): v for k, v in (types or {}).items()}
    columns = {h: lowered.get(h.lower(), "VARCHAR") for h in header}
    name = scratch.fresh("raw")
    rejects, scans = f"{name}_rej", f"{name}_scan"
    with ThreadPoolExecutor(max_workers=1) as pool:  # hash the file while DuckDB parses it
        digest = pool.submit(sha256, path)
        table = _read_into(scratch, path, name, columns, problems)
    if table is None:
        return None
    before = problems.total
    _report_rejects(scratch, rejects, path, header, columns, problems)
    scratch.con.execute(f"DROP TABLE IF EXISTS {rejects}")
    scratch.con.execute(f"DROP TABLE IF EXISTS {scans}")
    rows = scratch.count(name)
    if rows == 0 and not allow_empty and problems.total == before:
        problems.add(
            Problem(
                "the file has a header but no rows",
                file=path.name,
                line=2,
                expected="at least one row below the header (leave the file out to keep that table as it is)",
            )
        )
    elif problems.total == before:  # line numbers are record-based: only when no row was rejected
        check_nul(scratch, name, [h for h, t in columns.items() if t == "VARCHAR"], path, problems)
    return SourceFile(path, name, header, rows, digest.result())


def check_nul(scratch: Scratch, table: str, columns: list[str], path: Path, problems: Problems) -> None:
    """Report text values holding a NUL byte: it cuts the text short in exports, search and whatever
    reads the data next."""
    for column in columns:
        bad = exp.func("contains", col(column), exp.func("chr", exp.Literal.number(0)))
        _report_where(
            scratch,
            table,
            column,
            bad,
            path,
            problems,
            "NUL byte in text",
            "text without NUL bytes (re-export the file)",
            lambda v: repr(v)[1:-1][:120],
        )


def check_minimum(
    scratch: Scratch, table: str, column: str, low: float, path: Path, problems: Problems, expected: str
) -> None:
    """Report numbers of ``column`` below ``low`` (e.g. a negative deal amount)."""
    bad = exp.LT(this=col(column), expression=exp.Literal.number(low))
    _report_where(scratch, table, column, bad, path, problems, "value out of range", expected, "{:g}".format)


def _read_into(
    scratch: Scratch, path: Path, name: str, columns: dict[str, str], problems: Problems
) -> str | None:
    rejects, scans = f"{name}_rej", f"{name}_scan"
    try:
        scratch.con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv($p, {_CSV_OPTIONS}, columns = $c, "
            f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{scans}')",
            {"p": str(path), "c": columns},
        )
    except duckdb.Error as exc:
        found = diagnose_lines(path)
        if found is not None:
            problems.add(found)
            return None
        reason = str(exc).splitlines()[0].replace(str(path), path.name)
        problems.add(
            Problem(
                f"cannot read as CSV: {reason}",
                file=path.name,
                expected="a UTF-8, comma-separated file with a header row",
            )
        )
        return None
    return name


#: DuckDB's CSV reader refuses longer lines (its max_line_size default)
MAX_LINE_BYTES = 2 * 1024 * 1024


def diagnose_lines(path: Path) -> Problem | None:
    """Why DuckDB could not read a file, at its true line: a line over 2 MB, or a line ending that
    differs from the first line's (CRLF and LF mixed). ``None`` when neither is the cause.

    Only run when the reader failed, so the common path never scans the file in Python.
    """
    first_ending: bytes | None = None
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if len(raw) > MAX_LINE_BYTES:
                return Problem(
                    f"line {number} is {len(raw) / 1048576:.1f} MB long",
                    file=path.name,
                    line=number,
                    value=raw[:60].decode("utf-8", "replace") + "...",
                    expected="lines under 2 MB (a field this long is not revenue data)",
                )
            if not raw.endswith(b"\n"):
                break  # the last line, without an ending
            ending = b"\r\n" if raw.endswith(b"\r\n") else b"\n"
            if first_ending is None:
                first_ending = ending
            elif ending != first_ending:
                said = {b"\r\n": "CRLF (Windows)", b"\n": "LF (Unix)"}
                return Problem(
                    f"mixed line endings: line {number} ends with {said[ending]}, line 1 with "
                    f"{said[first_ending]}",
                    file=path.name,
                    line=number,
                    expected="the same line ending on every line (save the file again as CSV)",
                )
    return None


def _report_rejects(
    scratch: Scratch, rejects: str, path: Path, header: list[str], columns: dict[str, str], problems: Problems
) -> None:
    # a row with the wrong number of fields also fails casts; report only the structural error
    # and a structural error once per line (a short row is one problem, not one per missing field)
    kept = (
        f"FROM (SELECT r.* FROM {rejects} r WHERE NOT (CAST(r.error_type AS VARCHAR) = 'CAST' AND r.line IN "
        f"(SELECT line FROM {rejects} WHERE CAST(error_type AS VARCHAR) <> 'CAST')) "
        f"QUALIFY CAST(r.error_type AS VARCHAR) = 'CAST' "
        f"OR row_number() OVER (PARTITION BY r.line ORDER BY r.column_idx) = 1) k"
    )
    total = scratch.con.execute(f"SELECT count(*) {kept}").fetchall()[0][0]  # type: ignore[index]
    if not total:
        return
    rows = scratch.con.execute(
        f"SELECT line, column_idx, column_name, CAST(error_type AS VARCHAR), csv_line, error_message "
        f"{kept} ORDER BY line, column_idx LIMIT {EXAMPLES}"
    ).fetchall()
    examples = [_reject_problem(path, header, columns, *r) for r in rows]
    problems.add_counted(examples, int(total))


def _reject_problem(
    path: Path,
    header: list[str],
    columns: dict[str, str],
    line: int,
    idx: int | None,
    column: str | None,
    kind: str,
    csv_line: str | None,
    message: str,
) -> Problem:
    fields = next(csv.reader([csv_line or ""]), [])
    value = fields[idx - 1] if idx and 0 < idx <= len(fields) else None
    if kind == "CAST":
        return Problem(
            "value does not parse",
            file=path.name,
            line=int(line),
            column=column,
            value=value,
            expected=EXPECTED.get(columns.get(column or "", "VARCHAR"), "a valid value"),
        )
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        return Problem(
            f"row has {len(fields)} fields",
            file=path.name,
            line=int(line),
            value=(csv_line or "")[:120],
            expected=f"{len(header)} comma-separated fields, like the header",
        )
    if kind == "INVALID ENCODING":
        return Problem(
            "text is not valid UTF-8",
            file=path.name,
            line=int(line),
            column=column,
            value=value,
            expected="a UTF-8 encoded file (re-export or save as 'CSV UTF-8')",
        )
    return Problem(
        message.splitlines()[0],
        file=path.name,
        line=int(line),
        column=column,
        value=(csv_line or "")[:120],
        expected="a well-formed CSV row",
    )


def check_unique(scratch: Scratch, table: str, keys: list[str], path: Path, problems: Problems) -> None:
    """Report duplicate primary keys (every repeat after the first, with its line)."""
    key_cols = [col(k) for k in keys]
    grouped = (
        exp.select(*key_cols)
        .from_(table_ref(table))
        .group_by(*key_cols)
        .having(exp.GT(this=exp.func("count", exp.Star()), expression=exp.Literal.number(1)))
        .limit(1)
    )
    if not scratch.con.execute(grouped.sql("duckdb")).fetchall():  # the cheap check first
        return
    line = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(2))
    numbered = exp.select(
        *key_cols,
        line.as_("line"),
        exp.Window(
            this=exp.func("row_number"),
            partition_by=key_cols,
            order=exp.Order(expressions=[exp.Ordered(this=exp.column("rowid"))]),
        ).as_("n"),
    ).from_(table_ref(table))
    dups = (
        exp.select("*", exp.Window(this=exp.func("count", exp.Star())).as_("total"))
        .from_(numbered.subquery("k"))
        .where(exp.GT(this=exp.column("n"), expression=exp.Literal.number(1)))
    )
    rows = scratch.con.execute(dups.order_by("line").limit(EXAMPLES).sql("duckdb")).fetchall()
    if not rows:
        return
    label = ", ".join(keys)
    examples = [
        Problem(
            "duplicate primary key",
            file=path.name,
            line=int(r[len(keys)]),
            column=label,
            value=" / ".join(str(v) for v in r[: len(keys)]),
            expected=f"each {label} once per file",
        )
        for r in rows
    ]
    problems.add_counted(examples, int(rows[0][-1]))


def check_present(scratch: Scratch, table: str, columns: list[str], path: Path, problems: Problems) -> None:
    """Report empty values in columns that must have one."""
    if not columns:
        return
    counts = scratch.con.execute(
        exp.select(*[exp.func("count_if", col(c).is_(exp.null())) for c in columns])
        .from_(table_ref(table))
        .sql("duckdb")
    ).fetchall()[0]
    line = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(2))
    for c, n in zip(columns, counts or (), strict=False):
        if not n:
            continue
        rows = scratch.con.execute(
            exp.select(line)
            .from_(table_ref(table))
            .where(col(c).is_(exp.null()))
            .limit(EXAMPLES)
            .sql("duckdb")
        ).fetchall()
        problems.add_counted(
            [
                Problem(
                    "value missing",
                    file=path.name,
                    line=int(r[0]),
                    column=c,
                    expected="a value (the column is required)",
                )
                for r in rows
            ],
            int(n),
        )


def check_allowed(
    scratch: Scratch, table: str, column: str, allowed: tuple[str, ...], path: Path, problems: Problems
) -> None:
    """Report values of ``column`` outside ``allowed`` (exact match; empty values are not checked)."""
    bad = exp.and_(
        col(column).is_(exp.null()).not_(),
        exp.In(this=col(column), expressions=[exp.Literal.string(v) for v in allowed]).not_(),
    )
    _report_where(
        scratch, table, column, bad, path, problems, "value not allowed", "one of " + ", ".join(allowed), str
    )


def check_range(
    scratch: Scratch, table: str, column: str, low: float, high: float, path: Path, problems: Problems
) -> None:
    """Report numbers of ``column`` outside ``[low, high]`` (e.g. a probability written as 70, not 0.7)."""
    bad = exp.or_(
        exp.LT(this=col(column), expression=exp.Literal.number(low)),
        exp.GT(this=col(column), expression=exp.Literal.number(high)),
    )
    expected = f"a number from {low:g} to {high:g}"
    _report_where(scratch, table, column, bad, path, problems, "value out of range", expected, "{:g}".format)


def _report_where(
    scratch: Scratch,
    table: str,
    column: str,
    bad: exp.Expr,
    path: Path,
    problems: Problems,
    message: str,
    expected: str,
    show: Callable[[object], str],
) -> None:
    """Add a problem for the first rows of ``table`` where ``bad`` holds, counting them all."""
    line = exp.Add(this=exp.column("rowid"), expression=exp.Literal.number(2))
    base = exp.select(line.as_("line"), col(column).as_("value")).from_(table_ref(table)).where(bad)
    rows = scratch.con.execute(base.order_by("line").limit(EXAMPLES).sql("duckdb")).fetchall()
    if not rows:
        return
    total = scratch.con.execute(
        exp.select(exp.func("count_if", bad)).from_(table_ref(table)).sql("duckdb")
    ).fetchall()[0][0]
    problems.add_counted(
        [
            Problem(
                message, file=path.name, line=int(ln), column=column, value=show(value), expected=expected
            )
            for ln, value in rows
        ],
        int(total),
    )
