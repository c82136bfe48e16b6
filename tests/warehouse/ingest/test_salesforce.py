"""Salesforce exports: BOMs, US dates, percentages, reps from User, and the stage mapping."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import ingest, validate
from revintel.warehouse.ingest.stages import DEFAULT_MAPPING


def frame(rt, table):
    return rt.warehouse.execute(rt.warehouse.table(table))


@pytest.fixture
def mapping(fixtures):
    return fixtures / "salesforce" / "stage-mapping.yaml"


def test_an_unmapped_open_stage_is_an_error_naming_the_value_and_the_mapping_file(settings, fixtures):
    with pytest.raises(ValidationFailed) as info:
        validate("salesforce", fixtures / "salesforce", settings)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "Opportunity.csv",
        5,
        "StageName",
        "Verbal Commit",
    )
    assert str(DEFAULT_MAPPING) in problem.expected


def test_the_mapping_file_option_maps_a_custom_stage(settings, rt, fixtures, mapping):
    ingest("salesforce", fixtures / "salesforce", settings, rt.warehouse, mapping_file=mapping)
    opp = frame(rt, "opportunities").set_index("opportunity_id")
    assert opp.loc["006A4", ["stage", "source_stage", "status"]].tolist() == [
        "Negotiation",
        "Verbal Commit",
        "open",
    ]


def test_the_mapping_file_setting_is_honoured(home, monkeypatch, fixtures, mapping):
    from revintel.config import Settings

    monkeypatch.setenv("REVINTEL_STAGE_MAPPING_FILE", str(mapping))
    plan = validate("salesforce", fixtures / "salesforce", Settings())
    assert plan.row_counts["opportunities"] == 5


def test_an_unmapped_closed_stage_takes_its_status_from_the_flags(settings, fixtures, mapping):
    plan = validate("salesforce", fixtures / "salesforce", settings, mapping_file=mapping)
    opps = plan.tables["opportunities"].to_pandas().set_index("opportunity_id")
    assert opps.loc["006A5", ["stage", "status"]].tolist() == ["Closed Won", "won"]
    assert "stage_inferred_from_flags" in {f.rule for f in plan.findings}


def test_us_dates_timestamps_and_percentages_are_read(settings, rt, fixtures, mapping, meta_of):
    ingest("salesforce", fixtures / "salesforce", settings, rt.warehouse, mapping_file=mapping)
    opp = frame(rt, "opportunities").set_index("opportunity_id")
    assert opp.loc["006A1", "close_date"].date() == dt.date(2025, 9, 30)
    assert opp.loc["006A1", "created_date"].date() == dt.date(2025, 6, 2)
    assert opp.loc["006A2", "probability"] == pytest.approx(0.9)
    assert opp.loc["006A1", "stage"] == "Prospecting" and opp.loc["006A2", "stage"] == "Negotiation"
    assert meta_of(rt.warehouse) == {"dataset": "salesforce", "as_of": "2025-06-02"}


def test_reps_come_from_user_with_their_manager(settings, rt, fixtures, mapping):
    ingest("salesforce", fixtures / "salesforce", settings, rt.warehouse, mapping_file=mapping)
    reps = frame(rt, "reps").set_index("rep_id")
    assert reps.loc["005U1", ["name", "manager", "team"]].tolist() == ["Dana Fox", "Fay Rhee", "Enterprise"]


def test_history_keeps_the_last_change_of_each_day(settings, fixtures, mapping):
    plan = validate("salesforce", fixtures / "salesforce", settings, mapping_file=mapping)
    history = plan.tables["opportunity_history"].to_pylist()
    assert [(h["snapshot_date"], h["stage"], h["amount"]) for h in history] == [
        (dt.date(2025, 5, 10), "Prospecting", 10000.0),
        (dt.date(2025, 6, 1), "Negotiation", 12000.0),
    ]
    collapsed = next(f for f in plan.findings if f.rule == "history_same_day_collapsed")
    assert collapsed.count == 1


def test_a_percentage_over_100_is_rejected(settings, export_copy, mapping):
    folder = export_copy("salesforce")
    path = folder / "Opportunity.csv"
    path.write_bytes(path.read_bytes().replace(b",50000,10,", b",50000,110,"))
    with pytest.raises(ValidationFailed) as info:
        validate("salesforce", folder, settings, mapping_file=mapping)
    problem = info.value.problems[0]
    assert (problem.line, problem.column, problem.value) == (2, "Probability", "110")


def test_loading_the_same_org_twice_leaves_the_same_rows(settings, rt, fixtures, mapping, data_snap):
    ingest("salesforce", fixtures / "salesforce", settings, rt.warehouse, mapping_file=mapping)
    first = data_snap(rt.warehouse)
    ingest("salesforce", fixtures / "salesforce", settings, rt.warehouse, mapping_file=mapping)
    assert data_snap(rt.warehouse) == first


@pytest.mark.external
@pytest.mark.parametrize(
    ("org", "opportunities", "accounts"), [("datacloud-workshop", 50, 22), ("devorg-sample", 36, 18)]
)
def test_the_public_sample_orgs_load_as_they_are(settings, rt, shared_data, org, opportunities, accounts):
    report = ingest("salesforce", shared_data / "salesforce-export" / org, settings, rt.warehouse)
    counts = rt.warehouse.row_counts()
    assert (counts["opportunities"], counts["accounts"]) == (opportunities, accounts)
    assert report.plan.as_of is not None
    opp = frame(rt, "opportunities")
    assert set(opp["status"]) == {"open", "won", "lost"}
    assert opp["probability"].dropna().between(0, 1).all()


@pytest.mark.external
def test_datacloud_zero_probabilities_on_open_stages_are_cleared_and_logged(settings, rt, shared_data):
    ingest("salesforce", shared_data / "salesforce-export" / "datacloud-workshop", settings, rt.warehouse)
    opp = frame(rt, "opportunities")
    open_zero = opp[(opp["status"] == "open") & (opp["probability"] == 0)]
    assert open_zero.empty
    log = frame(rt, "dq_audit_log").set_index("rule")
    assert log.loc["zero_probability_open", "message"].startswith("open deal with Probability 0")
    counts = rt.warehouse.row_counts()
    assert counts["touchpoints"] == 68 and counts["tickets"] == 40 and counts["conversations"] > 0


@pytest.mark.external
def test_devorg_history_and_exporter_columns_are_handled(settings, rt, shared_data):
    report = ingest("salesforce", shared_data / "salesforce-export" / "devorg-sample", settings, rt.warehouse)
    assert report.plan.row_counts["opportunity_history"] > 0
    opp = frame(rt, "opportunities").set_index("opportunity_id")
    assert opp.loc["006bm00000LKJNNAA5", "close_date"].date() == dt.date(2024, 2, 3)  # "02/03/24"


@pytest.mark.external
def test_datacloud_leads_take_their_first_campaign_channel_and_region(settings, rt, shared_data):
    ingest("salesforce", shared_data / "salesforce-export" / "datacloud-workshop", settings, rt.warehouse)
    leads = frame(rt, "leads")
    camps = frame(rt, "campaigns").set_index("campaign_id")
    members = frame(rt, "touchpoints")
    with_campaign = leads[leads["campaign_id"].notna()]
    assert len(leads) == 60 and len(with_campaign) > 0
    assert set(with_campaign["lead_id"]) == set(members["lead_id"].dropna())
    for row in with_campaign.itertuples():
        assert row.channel == camps.loc[row.campaign_id, "channel"]
    assert set(leads["region"].dropna()) == {"Americas"}  # every lead in this org is in the US
