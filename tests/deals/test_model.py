"""The win model: held-out quality, calibration choice, versioned artefacts, reuse."""

from __future__ import annotations

import json

import numpy as np

from revintel.deals import model
from revintel.deals.calibration import Calibrator, choose
from revintel.deals.metrics import ece, summary


def test_model_is_scored_on_a_later_test_window_beside_its_baselines(deals_rt) -> None:
    m = model.ensure(deals_rt)
    metrics, base = m.card.metrics, m.card.baselines
    assert {"base_rate", "crm_stage", "age_logistic"} <= set(base)
    assert metrics["base_rate_brier"] == metrics["win_rate"] * (1 - metrics["win_rate"])  # test prevalence
    assert metrics["auc"] > 0.55 and 0 <= metrics["auc_closed"] <= 1
    assert m.card.n_train > 0 and m.card.n_calibration > 0 and m.card.n_test > 0
    assert m.card.calibration in ("isotonic", "platt")
    assert sum(b["n"] for b in metrics["reliability"]) == m.card.n_test
    best = base[base["best"]]
    assert base["model_beats_best"] == (metrics["brier"] < best["brier"])
    assert m.card.selected == ("model" if base["model_beats_best"] else base["best"])


def test_a_model_that_does_not_beat_the_best_baseline_is_not_served(deals_rt) -> None:
    from revintel.deals.baselines import Fallback
    from revintel.deals.data import load_frames
    from revintel.scope import Scope

    m = model.ensure(deals_rt)
    f = model.score(m, load_frames(deals_rt, Scope.everything()), deals_rt.as_of())
    age = Fallback("age_logistic", {"coef": -0.5, "intercept": 1.0, "rate": 0.4})
    losing = model.WinModel(
        m.booster,
        m.calibrator,
        model.ModelCard(**{**m.card.to_dict(), "selected": "age_logistic", "fallback": age.to_dict()}),
        m.timing,
    )
    assert np.allclose(losing.predict(f), age(f))
    assert not np.allclose(losing.predict(f), m.calibrated(f))


def test_validation_is_in_time_the_held_out_window_follows_training(deals_rt) -> None:
    w = model.ensure(deals_rt).card.data_window
    assert w["first_snapshot"] < w["calibration_start"] < w["test_start"] <= w["last_holdout_snapshot"]
    assert w["last_holdout_snapshot"] < w["labels_known_by"]


def test_artefacts_and_model_card_are_saved_under_the_home_and_reused(deals_rt) -> None:
    m = model.ensure(deals_rt)
    folder = model.models_root(deals_rt) / m.card.version
    for name in ("model.txt", "calibrator.json", "timing.json", "card.json"):
        assert (folder / name).exists()
    card = json.loads((folder / "card.json").read_text())
    assert {"data_window", "features", "metrics", "trained_at"} <= set(card)
    again = model.latest(deals_rt)
    assert again is not None and again.card.version == m.card.version


def test_saved_model_predicts_what_the_trained_one_did(deals_rt) -> None:
    from revintel.deals.data import load_frames
    from revintel.scope import Scope

    m = model.ensure(deals_rt)
    frames = load_frames(deals_rt, Scope.everything())
    scored = model.score(m, frames, deals_rt.as_of())
    loaded = model.WinModel.load(model.models_root(deals_rt) / m.card.version)
    assert np.allclose(loaded.predict(scored), scored["p_win"])
    assert ((scored["p_win"] >= 0) & (scored["p_win"] <= 1)).all()


def test_calibration_fixes_a_systematically_overconfident_score() -> None:
    rng = np.random.default_rng(0)
    true_p = rng.uniform(0.05, 0.95, 4000)
    y = (rng.random(4000) < true_p).astype(int)
    margin = 3 * np.log(true_p / (1 - true_p))  # three times too confident
    raw = Calibrator("identity")(margin)
    cal, oof, scores = choose(margin, y)
    assert ece(oof, y) < ece(raw, y) / 2
    assert set(scores) == {"platt", "isotonic"}
    assert cal.kind in scores


def test_metrics_report_brier_against_the_base_rate() -> None:
    y = np.array([0, 0, 1, 1])
    s = summary(np.array([0.1, 0.2, 0.8, 0.9]), y)
    assert s["base_rate_brier"] == 0.25
    assert s["brier"] < s["base_rate_brier"]
    assert s["auc"] == 1.0


def test_period_shock_is_zero_when_periods_match_their_predictions_and_grows_when_they_stray() -> None:
    import pandas as pd

    rng = np.random.default_rng(1)
    snaps = pd.Series(np.repeat(np.arange(6), 500))
    p = np.full(3000, 0.4)
    calm = (rng.random(3000) < p).astype(int)
    rates = np.repeat([0.2, 0.6, 0.3, 0.55, 0.25, 0.5], 500)
    wild = (rng.random(3000) < rates).astype(int)
    assert model.period_shock(snaps, p, calm) < 0.05
    assert model.period_shock(snaps, p, wild) > 0.2
