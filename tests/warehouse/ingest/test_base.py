"""The ingest seam: sources registered by name, plans that write nothing, reports of what was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.errors import NotFound, Problem
from revintel.warehouse.ingest import Source, base, load, register_source, sources, validate
from revintel.warehouse.ingest.base import Extract


def test_the_built_in_sources_are_registered():
    assert {"canonical", "salesforce", "hubspot", "maven"} <= set(sources())


def test_an_unknown_source_or_path_is_not_found(tmp_path, settings):
    with pytest.raises(NotFound, match="unknown ingest source"):
        validate("excel", tmp_path, settings)
    with pytest.raises(NotFound, match="no such file"):
        validate("canonical", tmp_path / "missing", settings)


def test_a_third_party_source_plugs_in_and_its_problems_reject_the_load(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(base, "_SOURCES", dict(base._SOURCES))  # registered for this test only

    @register_source
    class Broken(Source):
        name = "broken-test"
        description = "always wrong"

        def extract(self, path: Path, scratch, problems) -> Extract:
            problems.add(Problem("nope", file="x.csv", line=2, column="c", value="v", expected="ok"))
            return Extract()

    from revintel.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        validate("broken-test", tmp_path, settings)
    assert str(info.value.problems[0]) == "x.csv:2, column 'c', value 'v': nope (expected ok)"


def test_plan_and_report_describe_the_load(settings, rt, fixtures):
    plan = validate("hubspot", fixtures / "hubspot", settings)
    summary = plan.to_dict()
    assert summary["tables"]["opportunities"] == 5 and summary["as_of"] == "2025-06-30"
    assert {f["rule"] for f in summary["findings"]} >= {"missing_amount"}
    report = load(plan, rt.warehouse).to_dict()
    assert report["warehouse_row_counts"]["opportunities"] == 5
    assert report["replaced_demo"] is False and report["mode"] == "upsert"


@pytest.mark.spark
@pytest.mark.slow
def test_the_same_plan_loads_into_spark_idempotently_and_matches_duckdb(tmp_path, settings, rt, fixtures):
    from revintel.warehouse.backends import connect

    plan = validate("hubspot", fixtures / "hubspot", settings)
    spark = connect("pyspark://local[1]", tmp_path / "spark-home")
    try:
        load(plan, spark)
        load(validate("hubspot", fixtures / "hubspot", settings), spark)  # twice: upsert, no doubles
        load(plan, rt.warehouse)
        for name in ("opportunities", "accounts", "contacts", "reps"):
            a = spark.execute(spark.table(name).order_by(spark.table(name).columns[0]))
            b = rt.warehouse.execute(rt.warehouse.table(name).order_by(rt.warehouse.table(name).columns[0]))
            assert a.astype(str).values.tolist() == b.astype(str).values.tolist(), name
        assert spark.row_counts()["ingest_lineage"] == 6 and spark.get_meta()["dataset"] == "hubspot"
    finally:
        spark.close()


def test_loading_one_plan_twice_records_its_lineage_and_findings_once(settings, rt, fixtures):
    plan = validate("hubspot", fixtures / "hubspot", settings)
    load(plan, rt.warehouse)
    first = rt.warehouse.row_counts()
    load(plan, rt.warehouse)
    assert rt.warehouse.row_counts() == first
    assert first["ingest_lineage"] == 3 and first["dq_audit_log"] == len(plan.findings)
