"""Headline cards from one query per table: the same numbers as each card asked for alone, and a
first summary that never waits for a pre-aggregate to be built."""

from __future__ import annotations

import pytest

from revintel.scope import get_persona
from revintel.semantic.rollups import SPECS, refresh

SERVICES = ["chargeable_hours", "fees", "rate_per_hour", "chargeability", "delivery_margin"]
ROLLUP = SPECS["services_monthly"]


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


def _assert_equal_cards(rt, persona: str, period: str) -> int:
    """Every summary card equals the card computed on its own (two queries); returns how many."""
    scope = get_persona(persona).scope
    summary = rt.kpis.summary(scope, period)
    assert summary
    for card in summary:
        alone = rt.kpis.card(card.metric, scope, period)
        for field in ("value", "budget", "prior_year", "var_budget", "var_py_pct"):
            assert _same(getattr(card, field), getattr(alone, field)), (card.metric, field)
        assert card.status == alone.status
        assert [p["period"] for p in card.sparkline] == [p["period"] for p in alone.sparkline]
        for got, want in zip(card.sparkline, alone.sparkline, strict=True):
            assert _same(got["value"], want["value"]), (card.metric, got["period"])
    return len(summary)


@pytest.mark.parametrize("prebuilt", [False, True], ids=["base table", "pre-aggregate"])
@pytest.mark.parametrize(
    ("persona", "period"),
    [
        ("ceo", "ytd"),
        ("ceo", "2024-Q2"),
        ("emea_lead", "2025-11"),
        ("consulting_lead", "last 3 months"),
        ("sales_manager", "2024"),
        ("marketing", "2025-01-15..2025-08-20"),
        ("ceo", "2024-03-01..2025-06-30"),  # longer than a year: its prior year overlaps it
    ],
)
def test_summary_cards_equal_each_card_computed_alone(demo_rt, persona, period, prebuilt) -> None:
    if prebuilt:
        refresh(demo_rt.semantic)
    assert demo_rt.semantic.rollups.ready(ROLLUP) is prebuilt
    assert _assert_equal_cards(demo_rt, persona, period) >= 4


def test_months_without_rows_are_empty_sparkline_points(small_rt) -> None:
    """The small warehouse starts in 2024: a mid-2024 card's first sparkline months have no rows."""
    scope = get_persona("ceo").scope
    _assert_equal_cards(small_rt, "ceo", "2024-06")
    card = small_rt.kpis.cards(["chargeable_hours"], scope, "2024-06")[0]
    assert card.sparkline[0] == {"period": "2023-07-01", "value": None}
    assert card.sparkline[-1]["value"] == pytest.approx(400.0)  # 4 rows of 100 hours in June 2024


def test_five_cards_of_one_table_are_one_query(demo_rt) -> None:
    layer = demo_rt.semantic
    refresh(layer)
    layer.runner.clear()
    before = layer.runner.misses
    cards = demo_rt.kpis.cards(SERVICES, get_persona("ceo").scope, "2025")
    assert [c.metric for c in cards] == SERVICES
    assert layer.runner.misses - before == 1
    assert all(c.sql["value"] == cards[0].sql["value"] for c in cards)


def test_a_summary_reads_the_base_table_until_the_rollup_is_built(demo_rt) -> None:
    """A request never builds the pre-aggregate; the load's precomputation does, and later views use it."""
    layer = demo_rt.semantic
    ceo = get_persona("ceo").scope
    first = demo_rt.kpis.cards(SERVICES, ceo, "2025")
    assert not layer.rollups.ready(ROLLUP)
    tables = layer.warehouse.raw.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert ("_rollup_services_monthly",) not in tables
    assert 'FROM "services_monthly"' in first[0].sql["value"]
    assert "_rollup_" not in first[0].sql["value"]
    refresh(layer)
    layer.runner.clear()
    later = demo_rt.kpis.cards(SERVICES, ceo, "2025")
    res = layer.cards(SERVICES, demo_rt.kpis.resolve_period("2025"), ceo)
    assert res.preaggregated and "_rollup_services_monthly" in (res.run_sql or "")
    for a, b in zip(first, later, strict=True):
        assert _same(a.value, b.value) and _same(a.budget, b.budget) and _same(a.prior_year, b.prior_year)
