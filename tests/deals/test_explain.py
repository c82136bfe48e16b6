"""Explanations in the units people see, and actions only from drivers that carry signal."""

from __future__ import annotations

import pytest

from revintel.deals import model as win_model
from revintel.deals.data import load_frames
from revintel.deals.explain import drivers
from revintel.deals.playbook import actions
from revintel.scope import Scope


def _scored(rt):
    m = win_model.ensure(rt)
    return m, win_model.score(m, load_frames(rt, Scope.everything()), rt.as_of()).head(40)


def test_effects_add_up_from_the_base_rate_to_the_probability_shown(deals_rt) -> None:
    m, deals = _scored(deals_rt)
    for d, (_, row) in zip(drivers(m, deals, top=3), deals.iterrows(), strict=True):
        listed = sum(x["effect"] for x in d["positive"] + d["negative"])
        assert d["probability"] == pytest.approx(row["p_win"])
        assert d["base_rate"] + listed + d["other"] == pytest.approx(d["probability"], abs=1e-9)
        assert all(x["effect"] > 0 for x in d["positive"]) and all(x["effect"] < 0 for x in d["negative"])


def test_a_served_baseline_is_explained_by_the_feature_it_uses(deals_rt) -> None:
    from revintel.deals.baselines import Fallback

    m, deals = _scored(deals_rt)
    age = Fallback("age_logistic", {"coef": -0.8, "intercept": 2.0, "rate": 0.3})
    card = win_model.ModelCard(**{**m.card.to_dict(), "selected": "age_logistic", "fallback": age.to_dict()})
    served = win_model.WinModel(m.booster, m.calibrator, card, m.timing)
    assert served.signal() == {"age_days"}
    for d in drivers(served, deals):
        assert {x["feature"] for x in d["positive"] + d["negative"]} <= {"age_days"}
        assert d["base_rate"] + sum(x["effect"] for x in d["positive"] + d["negative"]) == pytest.approx(
            d["probability"]
        )


def test_no_action_comes_from_a_feature_without_signal() -> None:
    deal = {"has_competitor": 1.0, "competitor": "Quantive", "days_to_close": -5.0, "n_pushes": 3.0}
    everything = {a["rule"] for a in actions(deal, [])}
    assert {"competitor", "overdue", "repeated_slip"} <= everything
    only_slip = {a["rule"] for a in actions(deal, [], signal={"n_pushes", "days_to_close"})}
    assert "competitor" not in only_slip and {"overdue", "repeated_slip"} <= only_slip
    assert actions(deal, [], signal=set()) == []
