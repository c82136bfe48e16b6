"""Canonical ingest: one file per table, upserts on primary keys, lineage, and replacing the demo."""

from __future__ import annotations

import datetime as dt
import hashlib

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revintel.errors import ValidationFailed
from revintel.warehouse.backends import Change, conform
from revintel.warehouse.ingest import ingest, load, validate
from revintel.warehouse.status import status


def test_a_folder_loads_one_table_per_file_with_lineage(settings, rt, fixtures):
    report = ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    counts = rt.warehouse.row_counts()
    assert {
        k: counts[k] for k in ("accounts", "reps", "products", "opportunities", "opportunity_history")
    } == {"accounts": 3, "reps": 2, "products": 2, "opportunities": 4, "opportunity_history": 3}
    info = status(rt.warehouse)
    assert info["dataset"] == "canonical"
    assert info["as_of"] == "2025-06-01"  # latest created/snapshot date, not a future close date
    lineage = {row["table_name"]: row for row in info["lineage"]}
    opp = lineage["opportunities"]
    assert opp["rows"] == 4 and opp["source"] == "canonical" and opp["load_id"] == report.plan.load_id
    assert (
        opp["sha256"]
        == hashlib.sha256((fixtures / "canonical" / "opportunities.csv").read_bytes()).hexdigest()
    )
    assert opp["file"].endswith("opportunities.csv")


def test_quoted_commas_and_types_arrive_intact(settings, rt, fixtures):
    ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    df = rt.warehouse.execute(rt.warehouse.table("opportunities")).set_index("opportunity_id")
    assert df.loc["O4", "name"] == "Contoso advisory, phase 2"
    assert df.loc["O2", "amount"] == 480000.5
    assert df.loc["O1", "close_date"].date() == dt.date(2025, 7, 31)
    assert df.loc["O1", "source"] == "canonical"  # filled when the file has no source column


def test_loading_the_same_export_twice_leaves_the_same_rows(settings, rt, fixtures, data_snap):
    ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    first = data_snap(rt.warehouse)
    ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    assert data_snap(rt.warehouse) == first
    assert len(status(rt.warehouse)["lineage"]) == 10  # two loads of five files


def test_a_changed_row_is_updated_in_place_not_duplicated(settings, rt, fixtures, export_copy):
    ingest("canonical", fixtures / "canonical", settings, rt.warehouse)
    changed = export_copy("canonical")
    path = changed / "opportunities.csv"
    path.write_text(
        path.read_text().replace(
            "O1,Northwind renewal,A1,R2,P1,Negotiation,Negotiation,open,120000",
            "O1,Northwind renewal,A1,R2,P1,Negotiation,Negotiation,open,150000",
        )
    )
    ingest("canonical", changed / "opportunities.csv", settings, rt.warehouse)
    df = rt.warehouse.execute(rt.warehouse.table("opportunities")).set_index("opportunity_id")
    assert len(df) == 4 and df.loc["O1", "amount"] == 150000


def test_a_single_parquet_file_loads(tmp_path, settings, rt):
    rows = conform("accounts", pa.table({"account_id": ["A9"], "name": ["Parquet Co"], "employees": [12]}))
    pq.write_table(rows, tmp_path / "accounts.parquet")
    ingest("canonical", tmp_path / "accounts.parquet", settings, rt.warehouse)
    df = rt.warehouse.execute(rt.warehouse.table("accounts"))
    assert df.to_dict("records")[0]["name"] == "Parquet Co"


def test_a_file_not_named_after_a_table_is_rejected_with_a_suggestion(tmp_path, settings):
    (tmp_path / "oportunities.csv").write_text("opportunity_id\nO1\n")
    with pytest.raises(ValidationFailed) as info:
        validate("canonical", tmp_path, settings)
    assert "opportunities" in info.value.problems[0].expected


def test_unknown_columns_are_ignored_and_recorded_as_a_finding(tmp_path, settings, rt):
    (tmp_path / "accounts.csv").write_text("account_id,name,favourite_colour\nA1,Acme,blue\n")
    ingest("canonical", tmp_path, settings, rt.warehouse)
    log = rt.warehouse.execute(rt.warehouse.table("dq_audit_log"))
    assert log["rule"].tolist() == ["ignored_columns"]
    assert log["value"].tolist() == ["favourite_colour"] and log["table_name"].tolist() == ["accounts"]


def test_a_real_ingest_replaces_the_demo_dataset_in_the_same_step(settings, rt, fixtures, meta_of):
    demo_rows = conform(
        "services_monthly",
        pa.table(
            {
                "month": [dt.date(2025, 1, 1)],
                "account_id": ["D1"],
                "region": ["EMEA"],
                "capability": ["Audit"],
            }
        ),
    )
    demo_accounts = conform("accounts", pa.table({"account_id": ["D1"], "name": ["Demo client"]}))
    rt.warehouse.apply(
        [Change("services_monthly", demo_rows), Change("accounts", demo_accounts)],
        {"dataset": "demo", "as_of": "2025-12-31"},
    )
    report = load(validate("canonical", fixtures / "canonical", settings), rt.warehouse)
    assert report.replaced_demo and report.mode == "replace"
    assert report.to_dict()["replaced_demo"] is True
    counts = rt.warehouse.row_counts()
    assert counts["services_monthly"] == 0 and counts["accounts"] == 3
    assert "D1" not in rt.warehouse.execute(rt.warehouse.table("accounts"))["account_id"].tolist()
    assert meta_of(rt.warehouse) == {"dataset": "canonical", "as_of": "2025-06-01"}


def test_validate_writes_nothing(settings, rt, fixtures):
    plan = validate("canonical", fixtures / "canonical", settings)
    assert plan.row_counts["opportunities"] == 4
    assert sum(rt.warehouse.row_counts().values()) == 0
