"""Follow-ups complete themselves from the previous request."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.ask.conversation import resolve
from revintel.ask.entities import Vocabulary
from revintel.ask.intents import understand
from revintel.semantic import load_catalogue
from revintel.semantic.time import parse_period

VOCAB = Vocabulary({"region": ["EMEA", "APAC"], "capability": ["Technology"]})
AS_OF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def read():
    cat = load_catalogue()
    return lambda q, prev=None: resolve(understand(q, cat, VOCAB, AS_OF), prev.to_dict() if prev else None)


def test_and_in_region_keeps_metric_and_period(read) -> None:
    first = read("Net fees YTD")
    follow = read("and in EMEA?", first)
    assert (follow.metric, parse_period(follow.period, AS_OF).grain, follow.filters, follow.intent) == (
        "fees",
        "ytd",
        {"region": ["EMEA"]},
        "value",
    )


def test_break_that_down_and_why(read) -> None:
    first = read("Net fees in EMEA this year")
    split = read("break that down by capability", first)
    assert (split.intent, split.dimension, split.filters) == ("breakdown", "capability", {"region": ["EMEA"]})
    why = read("why?", split)
    assert (why.intent, why.metric, why.filters) == ("why", "fees", {"region": ["EMEA"]})


def test_new_period_replaces_the_old_one(read) -> None:
    follow = read("what about last year?", read("Chargeable hours YTD"))
    assert parse_period(follow.period, AS_OF) == parse_period("last year", AS_OF)
    assert follow.inherited == ["metric"] and follow.metric == "chargeable_hours"


def test_all_regions_drops_question_filters_only(read) -> None:
    follow = read("and for all regions?", read("Net fees in EMEA"))
    assert follow.filters == {} and follow.widen


def test_a_standalone_question_is_not_a_follow_up(read) -> None:
    first = read("Chargeable hours by capability")
    assert read("Budget vs actuals YTD", first).metric is None
    assert read("Win rate in 2025", first).metric == "win_rate"


def test_compared_with_budget_after_a_breakdown_keeps_the_breakdown(read) -> None:
    first = read("Fees by region this year")
    follow = read("compared with budget?", first)
    assert (follow.intent, follow.compare, follow.metric, follow.dimension) == (
        "comparison",
        "budget",
        "fees",
        "region",
    )


def test_which_is_fastest_after_a_cycle_breakdown_ranks_the_fewest_days() -> None:
    import datetime as dt

    from revintel.ask.conversation import resolve
    from revintel.ask.entities import Vocabulary
    from revintel.ask.intents import understand
    from revintel.semantic import load_catalogue

    cat, vocab, as_of = load_catalogue(), Vocabulary({"region": ["East", "West"]}), dt.date(2017, 12, 31)
    prev = understand("Sales cycle by region", cat, vocab, as_of).to_dict()
    req = resolve(understand("which is fastest?", cat, vocab, as_of), prev)
    assert (req.intent, req.metric, req.dimension, req.order) == (
        "ranking",
        "sales_cycle_days",
        "region",
        "asc",
    )
