"""HubSpot exports: deals, companies and contacts with HubSpot's column names."""

from __future__ import annotations

import pytest

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import ingest, validate


def test_deals_companies_and_contacts_load(settings, rt, fixtures, meta_of):
    report = ingest("hubspot", fixtures / "hubspot", settings, rt.warehouse)
    assert report.plan.row_counts == {"opportunities": 5, "accounts": 3, "contacts": 3, "reps": 2, "leads": 2}
    opp = rt.warehouse.execute(rt.warehouse.table("opportunities")).set_index("opportunity_id")
    assert opp.loc["9001", ["stage", "source_stage", "status", "account_id", "rep_id"]].tolist() == [
        "Prospecting",
        "Appointment Scheduled",
        "open",
        "5001",
        "Maria Lopez",
    ]
    assert opp.loc["9003", "status"] == "won" and opp.loc["9004", "status"] == "lost"
    assert opp.loc["9002", "amount"] == 48000.5
    assert meta_of(rt.warehouse) == {"dataset": "hubspot", "as_of": "2025-06-30"}


def test_a_deal_without_company_ids_is_matched_by_company_name(settings, fixtures):
    plan = validate("hubspot", fixtures / "hubspot", settings)
    opps = {r["opportunity_id"]: r for r in plan.tables["opportunities"].to_pylist()}
    assert opps["9002"]["account_id"] == "5002"
    assert {f.rule for f in plan.findings} >= {"company_matched_by_name", "orphan_company", "missing_amount"}


def test_a_custom_pipeline_stage_is_an_error_until_mapped(tmp_path, settings, export_copy):
    folder = export_copy("hubspot")
    deals = next(folder.glob("*deals*"))
    deals.write_text(deals.read_text().replace("Contract Sent", "Legal Review"))
    with pytest.raises(ValidationFailed) as info:
        validate("hubspot", folder, settings)
    problem = info.value.problems[0]
    assert (problem.line, problem.column, problem.value) == (3, "Deal Stage", "Legal Review")
    mapping = tmp_path / "stages.yaml"
    mapping.write_text("hubspot:\n  Legal Review: Negotiation\n")
    plan = validate("hubspot", folder, settings, mapping_file=mapping)
    assert {
        r["stage"] for r in plan.tables["opportunities"].to_pylist() if r["opportunity_id"] == "9002"
    } == {"Negotiation"}


def test_an_export_without_deals_is_rejected(tmp_path, settings, fixtures):
    (tmp_path / "companies.csv").write_text((next((fixtures / "hubspot").glob("*compan*"))).read_text())
    with pytest.raises(ValidationFailed, match="rejected"):
        validate("hubspot", tmp_path, settings)


def test_contacts_with_lifecycle_stage_dates_become_funnel_leads(settings, fixtures):
    plan = validate("hubspot", fixtures / "hubspot", settings)
    leads = {r["lead_id"]: r for r in plan.tables["leads"].to_pylist()}
    assert set(leads) == {"7001", "7002"}  # 7003 has no lifecycle stage: a contact, not a lead
    hank = leads["7001"]
    dates = [str(hank[c]) for c in ("created_date", "mql_date", "sql_date", "converted_date")]
    assert dates == ["2024-11-05", "2024-11-20", "2024-12-01", "2024-12-10"]
    assert hank["channel"] == "Events" and hank["account_id"] == "5001" and hank["source"] == "hubspot"
    assert leads["7002"]["mql_date"] is not None and leads["7002"]["sql_date"] is None
