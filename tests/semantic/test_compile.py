"""The compiler on the small warehouse: numbers a person can check by hand, and scope always applied."""

from __future__ import annotations

import pytest

from revintel.errors import Forbidden, InvalidRequest
from revintel.scope import Scope, get_persona
from revintel.semantic import MetricQuery

CEO = get_persona("ceo").scope
EMEA = get_persona("emea_lead").scope


def rows(layer, scope=CEO, **q):
    return layer.query(MetricQuery(**q), scope).records()


def test_won_revenue_and_win_rate_by_rep_over_all_time(layer) -> None:
    got = {r["rep"]: r for r in rows(layer, metrics=["won_revenue", "win_rate"], dimensions=["rep"])}
    assert got["Alex Morgan"]["won_revenue"] == 4800.0  # o1 + o3 + o9
    assert got["Alex Morgan"]["win_rate"] == pytest.approx(3 / 4)
    assert got["Bea Cruz"]["win_rate"] == pytest.approx(1 / 3)


def test_monthly_hours_show_the_december_dip_against_budget_and_prior_year(layer) -> None:
    got = rows(
        layer, metrics=["chargeable_hours"], dimensions=["month"], period="2025", compare=["budget", "py"]
    )
    assert len(got) == 12
    dec = got[-1]
    assert dec["chargeable_hours"] == pytest.approx(352.0)
    assert dec["chargeable_hours_budget"] == 400.0
    assert dec["chargeable_hours_py"] == 320.0
    assert got[0]["chargeable_hours"] == pytest.approx(440.0)


def test_snapshot_metrics_evaluate_at_the_period_end(layer) -> None:
    got = rows(layer, metrics=["open_pipeline", "arr", "wip", "staff_attrition"], period="2025-Q4")[0]
    assert got == {
        "open_pipeline": 5500.0,
        "arr": 1500.0,
        "wip": 4048.0,
        "staff_attrition": pytest.approx(0.4),
    }
    q1 = rows(layer, metrics=["arr"], dimensions=["quarter"], period="2025", compare=["py"])[0]
    assert (q1["arr"], q1["arr_py"]) == (2100.0, 1200.0)


def test_composite_metrics_combine_their_parts_on_the_same_slice(layer) -> None:
    got = rows(
        layer,
        metrics=["nrr", "grr", "logo_churn_rate", "pipeline_coverage", "sales_forecast"],
        period="2025",
        compare=["budget"],
    )[0]
    assert got["nrr"] == pytest.approx((1800 + 300 - 600) / 1800)
    assert got["grr"] == pytest.approx(1200 / 1800)
    assert got["logo_churn_rate"] == pytest.approx(0.5)
    assert got["pipeline_coverage"] == pytest.approx(1500 / (12000 - 7200))
    assert (got["sales_forecast"], got["sales_forecast_budget"]) == (
        3500.0,
        12000.0,
    )  # latest call per rep vs quota


def test_budget_by_region_and_ratio_budgets(layer) -> None:
    got = {
        r["region"]: r
        for r in rows(
            layer,
            metrics=["won_revenue", "rate_per_hour", "delivery_margin"],
            dimensions=["region"],
            period="2025",
            compare=["budget"],
        )
    }
    assert got["EMEA"]["won_revenue"] == 5200.0
    assert got["EMEA"]["won_revenue_budget"] == 3000.0
    assert got["EMEA"]["rate_per_hour_budget"] == pytest.approx(125.0)
    assert got["EMEA"]["delivery_margin_budget"] == pytest.approx(0.5)


def test_budget_is_empty_not_wrong_for_a_dimension_budgets_do_not_have(layer) -> None:
    got = rows(layer, metrics=["chargeable_hours"], dimensions=["client"], period="2025", compare=["budget"])
    assert {r["client"] for r in got} == {"Acme", "Beta"}
    assert all(r["chargeable_hours_budget"] is None for r in got)


def test_regional_lead_sees_only_their_region_whatever_they_ask(layer) -> None:
    got = rows(layer, EMEA, metrics=["chargeable_hours", "won_revenue"], dimensions=["region"], period="2025")
    assert [r["region"] for r in got] == ["EMEA"]
    total = rows(layer, EMEA, metrics=["won_revenue"], period="2025")[0]["won_revenue"]
    assert total == 5200.0
    with pytest.raises(Forbidden):
        rows(layer, EMEA, metrics=["won_revenue"], filters={"region": ["Americas"]})
    with pytest.raises(InvalidRequest):  # another region's team does not exist in an EMEA lead's world
        rows(layer, EMEA, metrics=["won_revenue"], dimensions=["rep"], filters={"team": ["Americas Growth"]})


def test_every_result_carries_sql_definitions_filters_and_scope(layer) -> None:
    r = layer.query(MetricQuery(metrics=["win_rate"], filters={"region": ["EMEA"]}, period="2025"), EMEA)
    assert "opportunities" in r.sql and "'EMEA'" in r.sql
    assert r.definitions[0]["formula"].startswith("count(*)")
    assert r.filters == {"region": ["EMEA"]}
    assert r.scope["rows"] == {"region": ["EMEA"]}
    assert r.to_dict()["columns"] == ["win_rate"]


def test_a_scope_the_table_cannot_honour_is_refused_never_widened(layer) -> None:
    team = get_persona("sales_manager").scope
    with pytest.raises(Forbidden):
        layer.scoped_table("headcount", team)
    with pytest.raises(Forbidden):
        rows(layer, team, metrics=["chargeable_hours"])  # services domain is not theirs
    t = layer.scoped_table("opportunities", team)
    frame = layer.warehouse.execute(t)
    assert set(frame["team"]) == {"EMEA Enterprise"}
    assert {"region", "rep", "manager", "account", "tier", "product", "capability"} <= set(t.columns)


def test_scoped_table_filters_by_a_joined_dimension(layer) -> None:
    consulting = get_persona("consulting_lead").scope
    frame = layer.warehouse.execute(layer.scoped_table("opportunities", consulting))
    assert set(frame["product"]) == {"GTX Pro"}
    rep_scope = Scope.build("account_executive", {"rep": ["Alex Morgan"]})
    assert set(layer.warehouse.execute(layer.scoped_table("opportunities", rep_scope))["opportunity_id"]) == {
        "o1",
        "o2",
        "o3",
        "o9",
    }


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ({"metrics": ["win_rat"]}, "win_rate"),
        ({"metrics": ["win_rate"], "dimensions": ["regon"]}, "region"),
        ({"metrics": ["chargeable_hours"], "dimensions": ["rep"]}, "region"),
        ({"metrics": ["won_revenue"], "filters": {"region": ["EMEAA"]}}, "EMEA"),
        ({"metrics": ["won_revenue"], "period": "2025-13"}, "01 to 12"),
        ({"metrics": ["won_revenue"], "grain": "week"}, "month"),
    ],
)
def test_bad_names_are_refused_with_the_nearest_valid_name(layer, query, hint) -> None:
    with pytest.raises(InvalidRequest) as err:
        layer.query(MetricQuery(**query), CEO)
    assert hint in (err.value.hint or "")


def test_labels_and_synonyms_name_metrics_too(layer) -> None:
    assert layer.catalogue.metric("bookings").id == "won_revenue"
    got = rows(layer, metrics=["Win rate"], period="2025")[0]
    assert got["win_rate"] == pytest.approx(4 / 7)


def test_order_and_limit(layer) -> None:
    got = rows(layer, metrics=["won_revenue"], dimensions=["rep"], order_by="-won_revenue", limit=1)
    assert got == [{"rep": "Alex Morgan", "won_revenue": 4800.0}]


def test_composites_treat_a_missing_sum_as_zero_not_unknown(layer) -> None:
    got = {
        r["region"]: r
        for r in rows(layer, metrics=["nrr", "pipeline_coverage"], dimensions=["region"], period="2025")
    }
    assert got["EMEA"]["nrr"] == pytest.approx((1200 + 300 - 0) / 1200)  # no churn in EMEA
    assert got["Americas"]["nrr"] == 0.0  # no expansion, all churned
    assert got["Americas"]["pipeline_coverage"] == pytest.approx(1500 / (4000 - 2000))


def test_fiscal_year_grain_follows_the_fiscal_start_month(layer, tmp_path) -> None:
    from revintel.config import Settings
    from revintel.semantic import SemanticLayer

    april = SemanticLayer(
        layer.warehouse, layer.catalogue, Settings(home=tmp_path, fiscal_year_start_month=4)
    )
    got = april.query(MetricQuery(metrics=["chargeable_hours"], grain="fiscal_year", period="2025"), CEO).rows
    assert [r[0].isoformat() for r in got] == ["2024-04-01", "2025-04-01"]
    assert got[0][1] == pytest.approx(3 * 440.0)  # Jan-Mar 2025 close FY2025
    assert got[1][1] == pytest.approx(8 * 440.0 + 352.0)


def test_overlapping_comparison_periods_still_give_the_prior_years_numbers(layer) -> None:
    long = "2024-07-01..2025-12-31"  # 18 months: its prior year overlaps it, so no shared scan
    got = rows(layer, metrics=["chargeable_hours"], period=long, compare=["py"])[0]
    prior = rows(layer, metrics=["chargeable_hours"], period="2023-07-01..2024-12-31")[0]
    assert got["chargeable_hours_py"] == pytest.approx(prior["chargeable_hours"])
    assert got["chargeable_hours"] == pytest.approx(5 * 400 + 320 + 11 * 440 + 352)
