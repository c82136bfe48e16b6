"""Plans compiled once per scope shape, the scope's values bound into the SQL that runs."""

from __future__ import annotations

import pytest

from revintel.scope import Scope, get_persona
from revintel.semantic import MetricQuery
from revintel.semantic import plan as plan_module
from revintel.semantic.plan import run_query
from revintel.semantic.shapes import bind_sql, literal, shape_of

Q = MetricQuery(metrics=["won_revenue", "win_rate"], dimensions=["rep"], period="2025", compare=["py"])


def _lead(region: str) -> Scope:
    return Scope.build("regional_lead", {"region": region}, persona=f"{region.lower()}-lead")


def test_a_second_region_reuses_the_first_region_s_plan_and_sees_only_its_rows(small_rt, monkeypatch) -> None:
    layer = small_rt.semantic
    emea = layer.query(Q, _lead("EMEA"))
    direct = run_query(layer, Q, _lead("Americas"))  # compiled for the Americas scope itself

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again for a scope of the same shape")

    monkeypatch.setattr(plan_module, "compile_query", refuse)
    americas = layer.query(Q, _lead("Americas"))
    assert americas.rows == direct.rows and americas.rows != emea.rows
    assert (
        "'Americas'" in americas.sql
        and "'EMEA'" not in americas.sql
        and "__revintel_scope" not in americas.sql
    )
    assert americas.scope == _lead("Americas").to_dict()


def test_personas_of_one_shape_share_a_stand_in_and_differ_only_in_bindings() -> None:
    emea, apac = get_persona("emea_lead").scope, get_persona("apac_lead").scope
    assert shape_of(emea)[0] == shape_of(apac)[0]
    assert shape_of(emea)[0] != shape_of(get_persona("consulting_lead").scope)[0]
    assert set(shape_of(emea)[1].values()) == {"EMEA"}


@pytest.mark.parametrize(
    ("value", "quoted"), [("EMEA", "'EMEA'"), ("O'Brien", "'O''Brien'"), ("x') OR (1=1", "'x'') OR (1=1'")]
)
def test_bound_values_are_sql_string_literals(value: str, quoted: str) -> None:
    assert literal(value) == quoted
    assert bind_sql("WHERE rep IN ('__m__')", {"__m__": value}) == f"WHERE rep IN ({quoted})"


def test_a_plan_missing_a_placeholder_is_never_bound() -> None:
    assert bind_sql("SELECT 1", {"__m__": "EMEA"}) is None


def test_ad_hoc_scoped_expressions_compile_once_per_shape(small_rt, monkeypatch) -> None:
    layer = small_rt.semantic

    def build(scope: Scope):
        t = layer.scoped_table("opportunities", scope)
        return t.group_by("region").aggregate(n=t.count()).order_by("region")

    _, emea = layer.shaped(("test.count",), _lead("EMEA"), build)
    calls = []
    monkeypatch.setattr(layer.runner, "compile", lambda e: calls.append(e) or "")
    sql, americas = layer.shaped(("test.count",), _lead("Americas"), build)
    assert calls == [] and list(americas["region"]) == ["Americas"] and list(emea["region"]) == ["EMEA"]
    assert "'Americas'" in sql


def test_a_parameter_is_bound_like_a_scope_value_and_compiled_once_per_shape(small_rt, monkeypatch) -> None:
    layer = small_rt.semantic

    def build(scope: Scope, values: dict[str, str]):
        t = layer.scoped_table("opportunities", scope, ["opportunity_id", "stage", "region"])
        return t.filter(t["stage"] == values["stage"]).select("opportunity_id", "stage", "region")

    stages = sorted(
        layer.warehouse.execute(layer.warehouse.table("opportunities").select("stage").distinct())["stage"]
    )
    _, first = layer.shaped_with(("test.stage",), _lead("EMEA"), build, {"stage": stages[0]})
    calls = []
    monkeypatch.setattr(layer.runner, "compile", lambda e: calls.append(e) or "")
    sql, second = layer.shaped_with(("test.stage",), _lead("Americas"), build, {"stage": stages[1]})
    assert calls == [] and f"'{stages[1]}'" in sql and "'Americas'" in sql and "__revintel_" not in sql
    assert set(first["stage"]) == {stages[0]} and set(first["region"]) == {"EMEA"}
    assert set(second["stage"]) == {stages[1]} and set(second["region"]) == {"Americas"}


@pytest.mark.parametrize("value", ["__revintel_scope_0_0__", "x' OR '1'='1"])
def test_a_parameter_that_looks_like_a_placeholder_or_sql_matches_nothing_and_widens_nothing(
    small_rt, value: str
) -> None:
    layer = small_rt.semantic

    def build(scope: Scope, values: dict[str, str]):
        t = layer.scoped_table("opportunities", scope, ["opportunity_id", "stage", "region"])
        return t.filter(t["stage"] == values["stage"]).select("opportunity_id", "region")

    _, rows = layer.shaped_with(("test.stage",), _lead("EMEA"), build, {"stage": value})
    assert rows.empty
