"""Done-when check: on the maven CRM data, governed queries equal independent SQL over the raw CSVs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from revintel.runtime import Runtime
from revintel.scope import get_persona
from revintel.semantic import MetricQuery
from revintel.warehouse.ingest import ingest

pytestmark = pytest.mark.external
CEO = get_persona("ceo").scope


@pytest.fixture
def maven_rt(rt: Runtime, shared_data: Path) -> Runtime:
    ingest("maven", shared_data / "maven-crm", rt.settings, rt.warehouse)
    return rt


def raw(shared_data: Path, sql: str) -> dict[str, float]:
    folder = shared_data / "maven-crm"
    con = duckdb.connect()
    for name in ("sales_pipeline", "sales_teams"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_csv_auto('{folder / (name + '.csv')}')")
    return {k: float(v) for k, v in con.execute(sql).fetchall()}


def test_win_rate_by_rep_equals_sql_over_the_csvs(maven_rt: Runtime, shared_data: Path) -> None:
    got = {
        r["rep"]: r["win_rate"]
        for r in maven_rt.semantic.query(MetricQuery(metrics=["win_rate"], dimensions=["rep"]), CEO).records()
    }
    want = raw(
        shared_data,
        """
        SELECT sales_agent, count(*) FILTER (WHERE deal_stage = 'Won')
               / count(*) FILTER (WHERE deal_stage IN ('Won', 'Lost'))
        FROM sales_pipeline GROUP BY 1""",
    )
    assert set(got) == set(want)
    for rep, value in want.items():
        assert got[rep] == pytest.approx(value, rel=1e-12), rep


def test_won_revenue_by_region_equals_sql_over_the_csvs(maven_rt: Runtime, shared_data: Path) -> None:
    got = {
        r["region"]: r["won_revenue"]
        for r in maven_rt.semantic.query(
            MetricQuery(metrics=["won_revenue"], dimensions=["region"]), CEO
        ).records()
    }
    want = raw(
        shared_data,
        """
        SELECT t.regional_office, sum(p.close_value) FROM sales_pipeline p
        JOIN sales_teams t USING (sales_agent) WHERE p.deal_stage = 'Won' GROUP BY 1""",
    )
    assert got == pytest.approx(want, rel=1e-12)


def test_maven_summary_has_pipeline_cards_only(maven_rt: Runtime) -> None:
    cards = maven_rt.kpis.summary(CEO)
    ids = {c.metric for c in cards}
    assert {"won_revenue", "win_rate", "open_pipeline"} <= ids
    assert not ids & {"chargeable_hours", "arr", "staff_attrition", "sales_forecast"}
