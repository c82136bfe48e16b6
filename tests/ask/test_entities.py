"""Vocabulary matching: exact phrases first, then misspellings, with the same result as difflib."""

from __future__ import annotations

import difflib
import random

from revintel.ask.entities import FUZZY_RATIO, Vocabulary

NAMES = [
    "Northwind Traders",
    "Northwind Trading Co",
    "Contoso Holdings",
    "Fabrikam Industries",
    "Tailspin Toys",
    "Wide World Importers",
    "Cyber Defense Retainer",
    "Cloud Migration Accelerator",
]


def _vocab() -> Vocabulary:
    return Vocabulary(
        {
            "account": NAMES[:6],
            "product": NAMES[6:],
            "region": ["EMEA", "APAC", "Americas", "UK"],
        }
    )


def test_a_misspelt_account_name_is_still_recognised() -> None:
    found = _vocab().find("Won revenue from Fabrikam Industires this year")
    assert [(m.dimension, m.value, m.exact) for m in found] == [("account", "Fabrikam Industries", False)]


def test_exact_names_win_over_fuzzy_ones() -> None:
    found = _vocab().find("Show me the Cyber Defense Retainer deal in EMEA")
    assert [(m.dimension, m.value, m.exact) for m in found] == [
        ("product", "Cyber Defense Retainer", True),
        ("region", "EMEA", True),
    ]


def test_fuzzy_matching_picks_what_difflib_picks() -> None:
    vocab = _vocab()
    rng = random.Random(7)
    phrases = ["northwind tradin", "nothing like it", "tailspin toy", "wide world import", "cloud migraton"]
    for name in NAMES * 5:
        chars = list(name.lower())
        chars[rng.randrange(len(chars))] = rng.choice("abcxyz e")
        phrases.append("".join(chars))
    for phrase in phrases:
        expected = difflib.get_close_matches(phrase, vocab.by_phrase, n=1, cutoff=FUZZY_RATIO)
        assert vocab.close_match(phrase) == (expected[0] if expected else None), phrase


def test_an_empty_vocabulary_matches_nothing() -> None:
    assert Vocabulary({}).find("Net fees by Fabrikam") == []
