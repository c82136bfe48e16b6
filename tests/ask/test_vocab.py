"""Reading revenue people's words: jargon, dimension synonyms and misspellings, with evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.ask.entities import Vocabulary
from revintel.ask.intents import understand
from revintel.ask.vocab import normalise, read_words
from revintel.semantic import load_catalogue

CAT = load_catalogue()
VOCAB = Vocabulary(
    {"region": ["Central", "East"], "sector": ["retail", "technology"], "rep": ["Darcel Schlecht"]}
)
AS_OF = dt.date(2017, 12, 31)


def read(q: str):
    return understand(q, CAT, VOCAB, AS_OF)


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("How much did we book in Q3 2017?", "won_revenue"),
        ("Bookings last quarter", "won_revenue"),
        ("closed-won revenue in 2017", "won_revenue"),
        ("How many deals were won or lost in 2017?", "closed_deals"),
        ("What is the mean time to close?", "sales_cycle_days"),
        ("typical days to close for won deals", "sales_cycle_days"),
        ("median deal size in 2017", "median_deal_size"),
        ("what's our pipe?", "open_pipeline"),
        ("What were our bookngs in 2017?", "won_revenue"),
        ("avrage deal size", "avg_deal_size"),
        ("How much ARR churned last year?", "churned_arr"),
    ],
)
def test_jargon_and_misspellings_name_the_metric(question: str, metric: str) -> None:
    assert read(question).metric == metric


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("Which industries brought in the most bookings?", "sector"),
        ("won revenue by vertical", "sector"),
        ("bookings by regional office", "region"),
        ("win rate by account tier", "tier"),
        ("won revenue per sales agent", "rep"),
    ],
)
def test_dimension_synonyms_and_plurals(question: str, dimension: str) -> None:
    assert read(question).dimension == dimension


def test_rewrites_are_recorded_as_evidence_with_their_score() -> None:
    req = read("What were our bookngs in 2017?")
    kinds = {(r["asked"], r["kind"]) for r in req.rewrites}
    assert ("bookngs", "fuzzy") in kinds
    assert any(r["kind"] == "fuzzy" and r["score"] < 100 for r in req.rewrites)


def test_data_values_and_everyday_words_are_never_corrected() -> None:
    text, fixes = read_words(normalise("won revenue for darcel schlecht last month"), CAT, VOCAB.words)
    assert "darcel schlecht" in text and not [f for f in fixes if f.kind == "fuzzy"]
    _, fixes = read_words(normalise("what is the customer acquisition cost"), CAT, VOCAB.words)
    assert not [f for f in fixes if f.asked == "cost"]  # four letters: "cost" is never read as "lost"


def test_markup_and_quotes_are_dropped_before_reading() -> None:
    assert normalise("<b>Won</b> revenue “in” 2017?!") == "won revenue in 2017"


def test_unknown_content_words_stay_unresolved() -> None:
    req = read("What is our frobnication rate for widgets?")
    assert "frobnication" in req.unresolved and "widgets" in req.unresolved
