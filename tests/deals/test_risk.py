"""Risk list: 0-100 scores, expected-loss order, drivers, next actions, scope."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.deals.detail import deal_detail
from revintel.deals.risk import WEIGHTS, risk_list
from revintel.errors import NotFound
from revintel.scope import Scope, get_persona


def test_risk_list_is_sorted_by_expected_loss_with_scores_between_0_and_100(deals_rt) -> None:
    out = risk_list(deals_rt, Scope.everything(), top=15)
    losses = [d["expected_loss"] for d in out["deals"]]
    assert losses == sorted(losses, reverse=True)
    assert all(0 <= d["risk"] <= 100 for d in out["deals"])
    assert abs(sum(WEIGHTS.values()) - 1) < 1e-9
    d = out["deals"][0]
    assert d["expected_loss"] == pytest.approx(d["risk"] / 100 * d["amount"], rel=1e-2)


def test_top_deals_come_with_plain_language_drivers_and_next_actions(deals_rt) -> None:
    out = risk_list(deals_rt, Scope.everything(), top=5)
    for d in out["deals"]:
        drivers = d["drivers"]
        assert drivers["positive"] or drivers["negative"]
        for drv in drivers["negative"]:
            assert drv["effect"] < 0 and drv["text"] and "_" not in drv["text"].split()[0]
    assert any(d["next_actions"] for d in out["deals"])


def test_slipping_deals_rank_as_risky(deals_rt) -> None:
    out = risk_list(deals_rt, Scope.everything(), top=200, explain=False)
    pushed = [d["risk"] for d in out["deals"] if (d["n_pushes"] or 0) >= 3]
    never = [d["risk"] for d in out["deals"] if (d["n_pushes"] or 0) == 0]
    assert pushed and never
    assert sum(pushed) / len(pushed) > sum(never) / len(never) + 10


def test_a_regional_lead_sees_only_their_region(deals_rt) -> None:
    emea = get_persona("emea_lead").scope
    out = risk_list(deals_rt, emea, top=500, explain=False)
    assert out["deals"]
    assert {d["region"] for d in out["deals"]} == {"EMEA"}
    everyone = risk_list(deals_rt, Scope.everything(), top=500, explain=False)
    assert out["count"] < everyone["count"]


def test_filters_narrow_the_list(deals_rt) -> None:
    out = risk_list(deals_rt, Scope.everything(), top=500, filters={"stage": "Negotiation"}, explain=False)
    assert out["deals"] and {d["stage"] for d in out["deals"]} == {"Negotiation"}


def test_deal_page_shows_drivers_actions_time_to_close_and_timeline(deals_rt) -> None:
    top = risk_list(deals_rt, Scope.everything(), top=1)["deals"][0]
    d = deal_detail(deals_rt, Scope.everything(), top["opportunity_id"])
    assert d["open"] and d["p_win"] == pytest.approx(top["p_win"])
    assert d["timeline"] and d["timeline"][0]["kind"] == "snapshot"
    ttc = d["time_to_close"]
    assert ttc["p10"] <= ttc["p50"] <= ttc["p90"]
    assert d["next_actions"] == top["next_actions"]


def test_a_deal_outside_the_scope_is_not_found(deals_rt) -> None:
    apac = risk_list(deals_rt, get_persona("apac_lead").scope, top=1, explain=False)["deals"][0]
    with pytest.raises(NotFound):
        deal_detail(deals_rt, get_persona("emea_lead").scope, apac["opportunity_id"])


def test_deal_page_as_of_a_past_date_shows_the_deal_as_it_stood_then(deals_rt) -> None:
    import pandas as pd

    opps = deals_rt.warehouse.execute(deals_rt.warehouse.table("opportunities"))
    won = opps[
        (opps["status"] == "won")
        & (pd.to_datetime(opps["created_date"]) < "2025-01-01")
        & (pd.to_datetime(opps["close_date"]) > "2025-03-01")
    ].iloc[0]
    created = pd.Timestamp(won["created_date"]).date()
    before = deal_detail(
        deals_rt, Scope.everything(), won["opportunity_id"], as_of=created - dt.timedelta(days=1)
    )
    assert before["status"] == "not yet created" and before["amount"] is None
    after = deal_detail(deals_rt, Scope.everything(), won["opportunity_id"], as_of=deals_rt.as_of())
    assert after["status"] == "won" and not after["open"]
