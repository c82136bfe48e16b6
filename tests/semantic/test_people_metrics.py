"""People on deals: the buying-group metrics on the small warehouse, worked out by hand.

Closed deals: o1, o3, o4, o9, o10 won; o2, o5, o6 lost. Contacts (see ``CONTACT_ROLES``): an economic
buyer on o1 and o3, an executive (C-level or VP) on o1, o3 and o4, nobody on o6, o9 or o10.
"""

from __future__ import annotations

import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery

CEO = get_persona("ceo").scope
EMEA = get_persona("emea_lead").scope


def value(layer, metric: str, scope=CEO, **q) -> float:
    return layer.query(MetricQuery(metrics=[metric], **q), scope).records()[0][metric]


def test_win_rate_with_and_without_an_economic_buyer(layer) -> None:
    assert value(layer, "economic_buyer_win_rate", period="2025") == pytest.approx(2 / 2)  # o1, o3
    # every other deal closed in 2025, contacts or not: won o4, o10 of o2, o4, o5, o6, o10
    assert value(layer, "no_economic_buyer_win_rate", period="2025") == pytest.approx(2 / 5)
    assert value(layer, "win_rate", period="2025") == pytest.approx(4 / 7)
    assert value(layer, "no_economic_buyer_win_rate", period="2024") == 1.0  # o9, no contacts: counted


def test_win_rate_with_and_without_an_executive(layer) -> None:
    assert value(layer, "executive_win_rate", period="2025") == pytest.approx(3 / 3)  # CFO: o1, o3; VP: o4
    assert value(layer, "no_executive_win_rate", period="2025") == pytest.approx(
        1 / 4
    )  # o10 of o2, o5, o6, o10


def test_roles_on_won_and_lost_deals(layer) -> None:
    got = layer.query(
        MetricQuery(metrics=["deals_with_contacts"], dimensions=["buying_role", "stage"]), CEO
    ).records()
    table = {(r["buying_role"], r["stage"]): r["deals_with_contacts"] for r in got}
    assert table == {
        ("Economic Buyer", "Closed Won"): 2,
        ("Technical Evaluator", "Closed Won"): 1,
        ("Technical Evaluator", "Closed Lost"): 1,
        ("Champion", "Closed Won"): 1,
        ("Champion", "Closed Lost"): 1,
        ("Executive Sponsor", "Closed Won"): 1,
    }


def test_win_rate_by_title_and_seniority(layer) -> None:
    by_title = {
        r["title"]: r["contact_win_rate"]
        for r in layer.query(MetricQuery(metrics=["contact_win_rate"], dimensions=["title"]), CEO).records()
    }
    assert by_title == {
        "CFO": 1.0,
        "IT Manager": 0.5,
        "Head of Operations": 1.0,
        "VP Finance": 1.0,
        "Analyst": 0.0,
    }
    by_level = {
        r["seniority"]: r["contact_win_rate"]
        for r in layer.query(
            MetricQuery(metrics=["contact_win_rate"], dimensions=["seniority"]), CEO
        ).records()
    }
    assert by_level["Manager"] == 0.5 and by_level["Staff"] == 0.0 and by_level["C-level"] == 1.0


def test_role_frequency_per_deal(layer) -> None:
    assert value(layer, "roles_per_deal") == pytest.approx(7 / 5)  # 7 roles on 5 deals
    assert value(layer, "deal_contact_roles") == 7
    assert value(layer, "contact_win_rate") == pytest.approx(3 / 5)  # o1, o3, o4 of o1-o5


def test_people_metrics_follow_the_scope(layer) -> None:
    # an EMEA lead sees the deals of EMEA reps only (o1, o2, o3 by Alex Morgan): the economic buyer deals
    assert value(layer, "deals_with_contacts", EMEA) == 3
    assert value(layer, "economic_buyer_win_rate", EMEA) == 1.0
    sql = layer.query(MetricQuery(metrics=["economic_buyer_win_rate"]), EMEA).sql
    assert "deal_contacts" in sql and "'EMEA'" in sql and "Economic Buyer" in sql
