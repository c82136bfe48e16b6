"""Data-quality findings: spelling fixes, orphan references, and their dq_audit_log records."""

from __future__ import annotations

import datetime as dt

import duckdb

from revintel.warehouse.quality import Finding, findings_table, orphan_finding, spelling_fixes
from revintel.warehouse.schema import TABLES_BY_NAME


def test_a_misspelt_sector_is_corrected_and_known_ones_are_left_alone():
    assert spelling_fixes(["technolgy", "medical", "Finanse", "widgets"]) == {
        "technolgy": "technology",
        "Finanse": "Finance",
    }


def test_orphan_references_are_counted_with_a_sample():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE deals AS SELECT * FROM (VALUES ('D1', 'A1'), ('D2', 'A9'), ('D3', NULL)) t(id, acc)"
    )
    con.execute("CREATE TABLE accounts AS SELECT * FROM (VALUES ('A1')) t(id)")
    finding = orphan_finding(
        con, "deals", "acc", "accounts", "id", "opportunities", "orphan_account", "account"
    )
    assert (finding.count, finding.value, finding.severity) == (1, "A9", "warning")
    con.execute("INSERT INTO accounts VALUES ('A9')")
    assert (
        orphan_finding(con, "deals", "acc", "accounts", "id", "opportunities", "orphan_account", "x") is None
    )


def test_findings_become_audit_rows_with_ids_unique_to_the_load():
    at = dt.datetime(2025, 1, 2, 3, 4)
    rows = findings_table(
        [
            Finding("imputed_amount", "opportunities", 12, "amount imputed", line=7),
            Finding("sector_typo", "accounts", 3, "fixed", column="sector", value="technolgy"),
        ],
        "load1",
        "maven",
        at,
    )
    assert rows.schema == TABLES_BY_NAME["dq_audit_log"].arrow_schema()
    records = rows.to_pylist()
    assert [r["finding_id"] for r in records] == ["load1-0001", "load1-0002"]
    assert records[0]["row_number"] == 7 and records[1]["value"] == "technolgy"
    assert findings_table([], "x", "maven", at).num_rows == 0
