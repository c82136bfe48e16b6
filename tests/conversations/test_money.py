"""Money amounts as written and said (``conversations/money.py``), as the pricing tracker finds them."""

from __future__ import annotations

import pytest

from revintel.conversations.money import find_amounts, stated_currency
from revintel.conversations.trackers import load_trackers, match_turn


def said(text: str) -> list[tuple[float, str]]:
    return [(a.value, a.currency) for a in find_amounts(text, stated_currency(text))]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("so the total comes to $1.2M over three years", 1_200_000, "USD"),
        ("about 1.2 mil dollars all in", 1_200_000, "USD"),
        ("the deal's about two mil USD over three years", 2_000_000, "USD"),
        ("for the group it's a million two, in US dollars", 1_200_000, "USD"),
        ("we pay forty-five thousand dollars a year", 45_000, "USD"),
        ("two hundred and fifty thousand dollars", 250_000, "USD"),
        ("one and a half million euros", 1_500_000, "EUR"),
        ("the starter tier is 45k USD annually", 45_000, "USD"),
        ("Our current contract value is USD 45,000.", 45_000, "USD"),
        ("we'd budgeted £40 thousand for this", 40_000, "GBP"),
        ("we're paying forty grand a year, in dollars", 40_000, "USD"),
        ("das Budget liegt bei €1,2 Mio", 1_200_000, "EUR"),
        ("The approved budget is EUR 1.200.000 for the programme.", 1_200_000, "EUR"),
        ("we have approved twelve lakh rupees for this", 1_200_000, "INR"),
        ("budget is Rs 12 lakh for the year", 1_200_000, "INR"),
        ("the deal is 12,00,000 rupees", 1_200_000, "INR"),
        ("the enterprise plan would be ₹1.5 crore", 15_000_000, "INR"),
        ("our cap is INR 15L", 1_500_000, "INR"),
        ("the Swiss entity has CHF 80,000 set aside", 80_000, "CHF"),
        ("for Sydney it's AUD 25,000 a year", 25_000, "AUD"),
        ("A$30,000 for the pilot", 30_000, "AUD"),
        ("it's $30 per seat per month", 30, "USD"),
        ("twenty-five quid per user", 25, "GBP"),
        ("nine euros fifty per user per month", 9.5, "EUR"),
        ("it's 12 pounds 99 a head", 12.99, "GBP"),
    ],
)
def test_an_amount_is_read_in_every_common_form(text: str, amount: float, currency: str) -> None:
    assert said(text) == [(amount, currency)]


def test_a_range_gives_its_low_end_the_high_ends_scale_and_currency() -> None:
    assert said("we're talking between 40 and 50k dollars") == [(40_000, "USD"), (50_000, "USD")]
    assert said("somewhere in the $40-50k range") == [(40_000, "USD"), (50_000, "USD")]
    assert said("between 2 and 3 million euros") == [(2_000_000, "EUR"), (3_000_000, "EUR")]


@pytest.mark.parametrize(
    "text",
    [
        "we've got about forty people on the team",
        "it'll take six to eight weeks",
        "about 40 grand a year",  # no currency said anywhere: not guessed
        "twelve lakh users in the app",
        "We meet on 2025-11-12 at 10:30 with 12 people.",
        "Quantive quoted us about twenty percent less",
        "we need ISO 27001 and SOC 2",
    ],
)
def test_a_number_without_a_stated_currency_is_no_amount(text: str) -> None:
    assert said(text) == []


def test_a_scaled_amount_takes_the_one_currency_the_turn_states_and_only_one() -> None:
    trackers = load_trackers()
    turn = "We pay in euros today. It's about 40 grand a year."
    found = [(m.amount, m.currency) for m in match_turn(turn, "customer", trackers) if m.kind == "pricing"]
    assert found == [(40_000, "EUR")]
    both = "Some sites pay in euros, some in dollars. It's about 40 grand a year."
    assert [m for m in match_turn(both, "customer", trackers) if m.kind == "pricing"] == []
    # a bare number is not made money by a currency elsewhere in the turn
    assert stated_currency("we pay in dollars, for 40 users") == "USD"
    assert said("we pay in dollars, for 40 users") == []


def test_a_spoken_amount_counts_as_money_to_the_price_objection() -> None:
    found = {
        (m.kind, m.name)
        for m in match_turn(
            "forty-five thousand dollars is way more than we had in mind", "customer", load_trackers()
        )
    }
    assert ("objection", "price_budget") in found
