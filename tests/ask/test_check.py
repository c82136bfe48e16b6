"""The check stage: clarify or abstain instead of answering a different question."""

from __future__ import annotations

import datetime as dt

from revintel.ask.check import check, confidence, resolve_data
from revintel.ask.conversation import resolve
from revintel.ask.entities import Vocabulary
from revintel.ask.intents import understand
from revintel.semantic import load_catalogue

CAT = load_catalogue()
VALUES = {"region": ["Central", "East"], "product": ["GTX Pro"], "stage": ["Prospecting"]}
VOCAB = Vocabulary(VALUES)
AS_OF = dt.date(2017, 12, 31)
#: a pipeline-only dataset (like maven): no services, budgets or subscriptions
MAVEN = {"opportunities": 8800, "reps": 35, "products": 7, "accounts": 85}


def verdict(question: str, previous: str | None = None):
    prev = understand(previous, CAT, VOCAB, AS_OF).to_dict() if previous else None
    req = resolve(understand(question, CAT, VOCAB, AS_OF), prev)
    resolve_data(req, CAT, MAVEN)
    return req, check(req, CAT, MAVEN, VALUES, AS_OF)


def test_revenue_resolves_to_a_metric_the_data_has() -> None:
    req, v = verdict("Total revenue in 2017")
    assert req.metric == "won_revenue" and v.action == "answer"
    assert any(r["kind"] == "data" for r in req.rewrites)


def test_an_unknown_metric_word_in_a_follow_up_clarifies_instead_of_reusing_the_last_metric() -> None:
    req, v = verdict("and what about the frobnication index?", "Win rate in 2017")
    assert req.inherited[:1] == ["metric"] and "frobnication" in req.unresolved
    assert v.action == "clarify" and "win rate" in v.reason.lower()
    assert v.options and v.options[0] == "Win rate"


def test_a_concept_the_catalogue_lacks_abstains_naming_it() -> None:
    _, v = verdict("What was our profit in 2017?")
    assert v.action == "abstain" and "profit" in v.reason


def test_an_unreadable_period_clarifies_with_exact_options() -> None:
    _, v = verdict("Won revenue last summer")
    assert v.action == "clarify" and "summer" in v.question and "H2 2017" in v.options


def test_a_metric_without_data_abstains_with_the_true_reason() -> None:
    _, v = verdict("Chargeable hours in 2017")
    assert v.action == "abstain" and "no chargeable hours" in v.reason


def test_budget_questions_abstain_without_budgets() -> None:
    _, v = verdict("Budget vs actuals YTD")
    assert v.action == "abstain" and "budgets" in v.reason


def test_confidence_falls_with_weak_evidence() -> None:
    clean, _ = verdict("Won revenue in 2017")
    typo, _ = verdict("Won revnue in 2017")
    vague, _ = verdict("Won revenue in 2017 for the zorblax")
    assert confidence(clean) > confidence(typo) > 0.5
    assert confidence(clean) > confidence(vague)


def test_a_slice_the_data_does_not_have_abstains_instead_of_answering_the_total() -> None:
    for q in ("Won revenue by country", "What were bookings in Germany in 2017?", "Win rate for John Smith"):
        _, v = verdict(q)
        assert v.action == "abstain" and "not a dimension or a value" in v.reason, q


def test_amount_thresholds_abstain_but_years_after_over_do_not() -> None:
    assert verdict("How many won deals over $5000?")[1].action == "abstain"
    assert verdict("Won revenue trend over 2017")[1].action == "answer"


def test_one_word_not_understood_clarifies_instead_of_answering_a_nearby_question() -> None:
    req, v = verdict("What is our win rate momentum in 2017?")
    assert req.unresolved == ["momentum"]
    assert v.action == "clarify" and "'momentum'" in v.reason and v.options[0] == "Win rate"


def test_everyday_verbs_are_not_unresolved_and_are_never_spell_corrected() -> None:
    req, v = verdict("Which of our offices produced the least bookings?")
    assert req.unresolved == [] and not any(r["asked"] == "produced" for r in req.rewrites)
    assert req.metric == "won_revenue" and v.action == "answer"
    req, v = verdict("I'd like to see how much pipeline is sitting in Prospecting")
    assert req.unresolved == [] and v.action == "answer"


def test_a_qualifier_the_metric_is_not_measured_on_abstains_with_the_reason() -> None:
    for question, words in [
        ("What is the average sales cycle for lost deals?", "no sales cycle of lost deals"),
        ("What was the total value of deals lost in 2017?", "no value of lost deals"),
        ("How many customers did we win in 2017?", "not distinct customers"),
    ]:
        _, v = verdict(question)
        assert v.action == "abstain" and words in v.reason, question


def test_a_value_named_with_another_dimension_is_looked_up_there_or_refused() -> None:
    vocab = Vocabulary({"capability": ["GTX", "MG"], "product_series": ["GTX", "MG"], "region": ["East"]})
    req = understand("Typical deal size for the GTX series", CAT, vocab, AS_OF)
    assert req.filters == {"product_series": ["GTX"]} and req.dimension is None and req.intent == "value"
    req = understand("Win rate for the East sector", CAT, vocab, AS_OF)
    assert req.blocked and "East" in req.blocked[0]
