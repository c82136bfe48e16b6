"""Rollups: the compiler reads the pre-aggregation when it can, gets the same numbers, and never
serves it stale."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery
from revintel.semantic.rollups import SPECS, partials, refresh, rewrite
from revintel.warehouse.backends import Change, conform

CEO = get_persona("ceo").scope
EMEA = get_persona("emea_lead").scope
SERVICES = [
    "chargeable_hours",
    "fees",
    "rate_per_hour",
    "chargeability",
    "delivery_margin",
    "unbilled_days",
    "recoverability",
    "gross_fee_days",
    "wip",
]


def test_formulas_decompose_into_partials() -> None:
    assert rewrite("avg(unbilled_days)").startswith("(SUM(s_")
    assert rewrite("count(*)") == "SUM(__rows)"
    assert partials("count(distinct account_id)") is None
    assert partials("count(*) FILTER (WHERE status = 'won')") is None


@pytest.fixture
def built(layer):
    """The small warehouse's layer with its rollups built (as a load's precomputation builds them)."""
    refresh(layer)
    return layer


def test_region_and_capability_queries_read_the_rollup_with_equal_numbers(built) -> None:
    layer = built
    q = MetricQuery(metrics=SERVICES, dimensions=["region"], period="2025", compare=["budget", "py"])
    fast = layer.query(q, EMEA)
    assert fast.preaggregated and "_rollup_services_monthly" in (fast.run_sql or "")
    layer.rollups.enabled = False
    try:
        layer._plans.clear()
        from revintel.semantic import compile as compile_module

        compile_module._SHARED_PLANS.clear()
        slow = layer.query(q, EMEA)
    finally:
        layer.rollups.enabled = True
        compile_module._SHARED_PLANS.clear()
    assert "_rollup_" not in slow.sql and not slow.preaggregated
    assert slow.columns == fast.columns
    for a, b in zip(slow.rows, fast.rows, strict=True):
        assert a[0] == b[0] == "EMEA"
        for x, y in zip(a[1:], b[1:], strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12)


def test_client_queries_fall_back_to_the_base_table(layer) -> None:
    r = layer.query(MetricQuery(metrics=["chargeable_hours"], dimensions=["client"], period="2025"), CEO)
    assert "_rollup_" not in r.sql and "services_monthly" in r.sql


def test_after_a_load_the_base_table_answers_until_the_rollup_is_rebuilt(rt, small_loader) -> None:
    """A request never waits for a rollup build and is never served a stale one."""
    small_loader(rt)
    layer = rt.semantic
    q = MetricQuery(metrics=["chargeable_hours"], period="2025-12")
    assert "_rollup_" not in layer.query(q, CEO).sql  # nothing built yet: read from the base table
    assert not layer.rollups.ready(SPECS["services_monthly"])
    assert refresh(layer) == {"_rollup_services_monthly": layer.data_version()}
    before = layer.query(q, CEO)
    assert before.preaggregated
    extra = conform(
        "services_monthly",
        pa.Table.from_pylist(
            [
                {
                    "month": dt.date(2025, 12, 1),
                    "account_id": "a1",
                    "region": "UK",
                    "capability": "Consulting",
                    "chargeable_hours": 1000.0,
                }
            ]
        ),
    )
    rt.warehouse.apply([Change("services_monthly", extra, "append")])
    after = layer.query(q, CEO)
    assert after.rows[0][0] == pytest.approx(before.rows[0][0] + 1000.0)
    assert not after.preaggregated and "_rollup_" not in after.sql  # the rollup is stale: not read
    refresh(layer)
    rebuilt = layer.query(q, CEO)
    assert rebuilt.preaggregated and "_rollup_services_monthly" in (rebuilt.run_sql or "")
    assert rebuilt.rows[0][0] == pytest.approx(after.rows[0][0])


@pytest.mark.parametrize(
    ("persona", "dims", "period"),
    [("emea_lead", ["region"], "2025"), ("ceo", ["capability"], "2025-12"), ("ceo", [], "2025")],
)
def test_the_sql_shown_for_a_pre_aggregated_answer_reads_the_canonical_tables_and_gives_its_numbers(
    built, persona, dims, period
) -> None:
    """What an analyst copies from "the SQL behind this number" runs on the warehouse as it is."""
    layer = built
    q = MetricQuery(metrics=SERVICES, dimensions=dims, period=period, compare=["budget", "py"])
    res = layer.query(q, get_persona(persona).scope)
    assert res.preaggregated and "_rollup_" in (res.run_sql or "")
    assert "_rollup_" not in res.sql and "services_monthly" in res.sql
    assert "__rows" not in res.sql and not re.search(r"\b[sc]_[0-9a-f]{10}\b", res.sql)  # no hashed names
    assert res.sql.startswith("-- Served from a pre-aggregate of services_monthly")
    assert res.to_dict()["sql"] == res.sql and res.to_dict()["preaggregated"] is True
    # run it as an analyst would: the text as shown, straight on the warehouse's DuckDB database
    with layer.warehouse._lock:
        rows = layer.warehouse.con.con.cursor().execute(res.sql).fetchall()
    assert len(rows) == len(res.rows)
    for got, want in zip(rows, res.rows, strict=True):
        for x, y in zip(got, want, strict=True):
            if isinstance(y, float) or isinstance(x, float):
                assert (x is None and y is None) or x == pytest.approx(y, rel=1e-9, abs=1e-9)
            else:
                assert x == y


def test_before_the_rollup_is_built_its_partials_are_computed_inline_with_readable_names(rt, small_loader):
    """The first answer after a load reads the base table once; the SQL shown is the SQL run."""
    small_loader(rt)
    layer = rt.semantic
    flows = ["chargeable_hours", "fees", "rate_per_hour", "chargeability", "delivery_margin"]
    q = MetricQuery(metrics=flows, dimensions=["region"], period="2025", compare=["budget", "py"])
    res = layer.query(q, EMEA)
    assert not res.preaggregated and res.run_sql is None
    assert res.sql.count('FROM "services_monthly"') == 1 and "sum_chargeable_hours" in res.sql
    assert "__rows" not in res.sql and not re.search(r"\b[sc]_[0-9a-f]{10}\b", res.sql)
    with layer.warehouse._lock:
        rows = layer.warehouse.con.con.cursor().execute(res.sql).fetchall()
    assert [list(r) for r in rows] == res.rows
    refresh(layer)
    served = layer.query(q, EMEA)
    assert served.preaggregated and served.rows[0][0] == res.rows[0][0] == "EMEA"
    for x, y in zip(served.rows[0][1:], res.rows[0][1:], strict=True):
        assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12)
