"""Risk list: 0-100 scores, expected-loss order, drivers, next actions, scope."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.deals.detail import deal_detail
from revintel.deals.risk import WEIGHTS, risk_list
from revintel.errors import NotFound
from revintel.scope import Scope, get_persona


def test_risk_list_is_ranked_by_value_at_risk_this_period_and_expected_loss_is_one_minus_p_times_amount(
    deals_rt,
) -> None:
    out = risk_list(deals_rt, Scope.everything(), top=15)
    at_risk = [d["value_at_risk"] for d in out["deals"]]
    assert at_risk == sorted(at_risk, reverse=True) and at_risk[0] > 0
    assert all(0 <= d["risk"] <= 100 for d in out["deals"])
    assert abs(sum(WEIGHTS.values()) - 1) < 1e-9
    for d in out["deals"]:
        assert d["expected_loss"] == pytest.approx((1 - d["p_win"]) * d["amount"])
        assert d["value_at_risk"] == pytest.approx(d["p_close_in_period"] * d["expected_loss"])
        assert 0 <= d["p_close_in_period"] <= 1
    assert out["period"]["start"] == "2026-01-01"


def test_risk_score_is_monotone_in_each_input(deals_rt) -> None:
    import numpy as np
    import pandas as pd

    from revintel.deals import model as win_model
    from revintel.deals.risk import score

    card = win_model.ensure(deals_rt).card
    base = pd.DataFrame(
        {
            "stage": ["Proposal"] * 5,
            "days_in_stage": [20.0] * 5,
            "age_days": [60.0] * 5,
            "n_pushes": [1.0] * 5,
            "push_days": [20.0] * 5,
            "days_to_close": [10.0] * 5,
            "amount": [50_000.0] * 5,
            "p_win": [0.5] * 5,
        }
    )
    worse = base.copy()
    worse.loc[0, "p_win"] = 0.3
    worse.loc[1, "days_in_stage"] = 200.0
    worse.loc[2, "n_pushes"] = 3.0
    worse.loc[3, "days_to_close"] = -5.0
    worse.loc[4, "amount"] = 500_000.0
    assert np.all(score(worse, card)["risk"].to_numpy() > score(base, card)["risk"].to_numpy())


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
