"""The Maven CRM Sales Opportunities dataset loads as it is, its quirks fixed and logged."""

from __future__ import annotations

import pytest

from revintel.warehouse.ingest import ingest
from revintel.warehouse.status import status

pytestmark = pytest.mark.external


@pytest.fixture
def maven(settings, rt, shared_data):
    return ingest("maven", shared_data / "maven-crm", settings, rt.warehouse)


def frame(rt, table):
    return rt.warehouse.execute(rt.warehouse.table(table))


def test_counts_match_the_dataset(maven, rt):
    info = status(rt.warehouse)
    counts = info["row_counts"]
    assert (counts["opportunities"], counts["accounts"], counts["products"], counts["reps"]) == (
        8800,
        85,
        7,
        35,
    )
    assert (info["dataset"], info["as_of"]) == ("maven", "2017-12-31")
    assert {r["file"].rsplit("/", 1)[-1] for r in info["lineage"]} == {
        "sales_pipeline.csv",
        "accounts.csv",
        "products.csv",
        "sales_teams.csv",
    }


def test_stages_map_and_keep_the_source_stage(maven, rt):
    opp = frame(rt, "opportunities")
    pairs = opp.groupby(["source_stage", "stage", "status"]).size().to_dict()
    assert pairs == {
        ("Engaging", "Qualification", "open"): 1589,
        ("Lost", "Closed Lost", "lost"): 2473,
        ("Prospecting", "Prospecting", "open"): 500,
        ("Won", "Closed Won", "won"): 4238,
    }


def test_reps_carry_region_manager_and_team(maven, rt):
    reps = frame(rt, "reps").set_index("rep_id")
    assert reps.loc["Anna Snelling", ["region", "manager", "team"]].tolist() == [
        "Central",
        "Dustin Brinkmann",
        "Dustin Brinkmann",
    ]


def test_quirks_are_fixed_and_each_rule_logged_with_its_count(maven, rt):
    opp = frame(rt, "opportunities")
    products = set(frame(rt, "products")["product_id"])
    assert set(opp["product_id"]) <= products and "GTXPro" not in set(opp["product_id"])
    assert "technolgy" not in set(frame(rt, "accounts")["sector"])
    open_deals = opp[opp["status"] == "open"]
    assert open_deals["amount"].notna().all()  # imputed from list price
    assert (opp.loc[opp["status"] == "lost", "amount"] == 0).all()
    log = frame(rt, "dq_audit_log")
    assert set(log["rule"]) >= {
        "product_name_normalised",
        "sector_typo",
        "imputed_amount",
        "missing_account",
        "missing_close_date",
        "missing_engage_date",
    }
    by_rule = {f.rule: f.count for f in maven.plan.findings}
    assert by_rule["imputed_amount"] == 2089 and by_rule["missing_engage_date"] == 500
    assert by_rule["product_name_normalised"] == 1480 and by_rule["sector_typo"] == 12
    assert set(log["load_id"]) == {maven.plan.load_id}


def test_created_date_is_the_engage_date(maven, rt):
    opp = frame(rt, "opportunities")
    engaged = opp[opp["engage_date"].notna()]
    assert (engaged["created_date"] == engaged["engage_date"]).all()


def test_every_open_deal_counts_as_open_in_the_pipeline_snapshot(maven, rt, shared_data):
    import duckdb

    from revintel.scope import Scope
    from revintel.semantic import MetricQuery

    raw = (
        duckdb.connect()
        .execute(
            f"SELECT count(*) FROM read_csv_auto('{shared_data / 'maven-crm' / 'sales_pipeline.csv'}') "
            "WHERE deal_stage IN ('Prospecting', 'Engaging')"
        )
        .fetchone()[0]
    )
    res = rt.semantic.query(MetricQuery(metrics=["open_deals"]), Scope.everything())
    assert raw == 2089 and res.rows[0][0] == raw  # the 500 undated prospecting deals are open too
    opp = frame(rt, "opportunities")
    undated = opp[opp["engage_date"].isna()]
    assert len(undated) == 500 and (undated["created_date"].astype(str) == "2017-12-31").all()


def test_loading_twice_leaves_the_same_rows(maven, settings, rt, shared_data, data_snap):
    first = data_snap(rt.warehouse)
    ingest("maven", shared_data / "maven-crm", settings, rt.warehouse)
    assert data_snap(rt.warehouse) == first
