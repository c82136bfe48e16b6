"""Data-quality findings: what an ingest found and fixed, and how it is written to ``dq_audit_log``.

A :class:`Finding` is one rule that fired on one table during a load: an applied fix (a product
name normalised, a sector typo corrected), an imputation (an amount taken from a list price), or
an orphan reference (a deal whose account is not in the export). Findings are aggregated per rule
with a count, so a rule that fires on 2,000 rows is one audit record, not 2,000.

Findings never stop a load (that is what :class:`revintel.errors.ValidationFailed` is for); they
are written to ``dq_audit_log`` in the same atomic apply as the data they describe.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import pyarrow as pa
from sqlglot import exp

from revintel.warehouse.schema import TABLES_BY_NAME

Severity = Literal["info", "warning", "error"]

#: Industry sectors, for spotting misspelt sector values in exports.
SECTORS = (
    "technology",
    "software",
    "medical",
    "healthcare",
    "retail",
    "finance",
    "banking",
    "insurance",
    "marketing",
    "services",
    "telecommunications",
    "entertainment",
    "employment",
    "education",
    "energy",
    "government",
    "manufacturing",
    "media",
    "transportation",
    "utilities",
    "consulting",
    "hospitality",
    "construction",
    "agriculture",
    "electronics",
    "apparel",
    "biotechnology",
)


def spelling_fixes(values: list[str], vocabulary: tuple[str, ...] = SECTORS) -> dict[str, str]:
    """Misspelt values -> the vocabulary word they are close to (case kept as in the data).

    A value already in the vocabulary (any case) is never changed; a value is corrected only when
    exactly one close match exists (similarity >= 0.85).
    """
    known = {v.lower() for v in vocabulary}
    fixes = {}
    for value in values:
        low = value.strip().lower()
        if not low or low in known:
            continue
        match = difflib.get_close_matches(low, vocabulary, n=2, cutoff=0.85)
        if len(match) == 1:
            fixes[value] = match[0].title() if value[:1].isupper() else match[0]
    return fixes


@dataclass
class Finding:
    """One data-quality rule that fired during an ingest.

    Attributes:
        rule: Stable rule id, e.g. ``imputed_amount``, ``orphan_account``, ``sector_typo``.
        table: Canonical table the rows belong to.
        count: How many rows the rule fired on.
        message: What was found and what was done about it.
        severity: ``info`` (a fix applied), ``warning`` (data a user should look at).
        column: Column concerned.
        value: A sample offending value.
        line: Line of the first affected row in the source file (header = line 1).
    """

    rule: str
    table: str
    count: int
    message: str
    severity: Severity = "info"
    column: str | None = None
    value: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table": self.table,
            "count": self.count,
            "severity": self.severity,
            "column": self.column,
            "value": self.value,
            "line": self.line,
            "message": self.message,
        }


def findings_table(findings: list[Finding], load_id: str, source: str, checked_at: dt.datetime) -> pa.Table:
    """The ``dq_audit_log`` rows for ``findings`` (one per finding, ids unique to the load)."""
    rows = [
        {
            "finding_id": f"{load_id}-{i:04d}",
            "load_id": load_id,
            "checked_at": checked_at,
            "source": source,
            "table_name": f.table,
            "rule": f.rule,
            "severity": f.severity,
            "row_number": f.line,
            "column_name": f.column,
            "value": f.value,
            "message": f.message,
        }
        for i, f in enumerate(findings, start=1)
    ]
    schema = TABLES_BY_NAME["dq_audit_log"].arrow_schema()
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def orphan_finding(
    con: duckdb.DuckDBPyConnection,
    child: str,
    fk: str,
    parent: str,
    pk: str,
    table: str,
    rule: str,
    what: str,
) -> Finding | None:
    """A warning when rows of ``child`` reference a ``parent`` key that is not there.

    Args:
        con: Scratch connection holding both tables.
        child: Scratch table with the foreign key.
        fk: Foreign-key column of ``child``.
        parent: Scratch table with the referenced key.
        pk: Key column of ``parent``.
        table: Canonical table the finding is about.
        rule: Rule id to record.
        what: Plain name of the parent, for the message ("account").
    """
    c, p = exp.to_table(child, quoted=True).as_("c"), exp.to_table(parent, quoted=True).as_("p")
    fk_col, pk_col = exp.column(_ident(fk), table="c"), exp.column(_ident(pk), table="p")
    query = (
        exp.select(exp.func("count", exp.Star()), exp.func("min", fk_col))
        .from_(c)
        .where(
            exp.and_(
                fk_col.is_(exp.null()).not_(),
                exp.Exists(
                    this=exp.select("1").from_(p).where(exp.EQ(this=pk_col, expression=fk_col))
                ).not_(),
            )
        )
    )
    n, sample = con.execute(query.sql("duckdb")).fetchall()[0]  # type: ignore[misc]
    if not n:
        return None
    return Finding(
        rule=rule,
        table=table,
        count=int(n),
        severity="warning",
        column=fk,
        value=sample,
        message=f"{n} row(s) reference a {what} that is not in the export; kept, with the reference as is",
    )
