"""Rollups: the compiler reads the pre-aggregation when it can, gets the same numbers, and never
serves it stale."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery
from revintel.semantic.rollups import partials, refresh, rewrite
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


def test_region_and_capability_queries_read_the_rollup_with_equal_numbers(layer) -> None:
    q = MetricQuery(metrics=SERVICES, dimensions=["region"], period="2025", compare=["budget", "py"])
    fast = layer.query(q, EMEA)
    assert "_rollup_services_monthly" in fast.sql
    layer.rollups.enabled = False
    try:
        layer._plans.clear()
        from revintel.semantic import compile as compile_module

        compile_module._SHARED_PLANS.clear()
        slow = layer.query(q, EMEA)
    finally:
        layer.rollups.enabled = True
        compile_module._SHARED_PLANS.clear()
    assert "_rollup_" not in slow.sql
    assert slow.columns == fast.columns
    for a, b in zip(slow.rows, fast.rows, strict=True):
        assert a[0] == b[0] == "EMEA"
        for x, y in zip(a[1:], b[1:], strict=True):
            assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12)


def test_client_queries_fall_back_to_the_base_table(layer) -> None:
    r = layer.query(MetricQuery(metrics=["chargeable_hours"], dimensions=["client"], period="2025"), CEO)
    assert "_rollup_" not in r.sql and "services_monthly" in r.sql


def test_a_load_rebuilds_the_rollup_before_it_is_read(rt, small_loader) -> None:
    small_loader(rt)
    layer = rt.semantic
    q = MetricQuery(metrics=["chargeable_hours"], period="2025-12")
    before = layer.query(q, CEO).rows[0][0]
    assert refresh(layer) == {"_rollup_services_monthly": layer.data_version()}
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
    assert after.rows[0][0] == pytest.approx(before + 1000.0)
    assert "_rollup_services_monthly" in after.sql
