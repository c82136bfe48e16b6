"""On the demo data: the planted slipping cluster surfaces, and scope holds for a regional lead."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator

import pytest

from revintel.config import Settings
from revintel.deals import model as win_model
from revintel.deals.risk import risk_list
from revintel.forecast.changes import pipeline_changes
from revintel.forecast.rollup import forecast
from revintel.runtime import Runtime
from revintel.scope import Scope, get_persona


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_file) -> Iterator[Runtime]:
    home = tmp_path_factory.mktemp("deals-demo")
    shutil.copyfile(demo_warehouse_file, home / "warehouse.duckdb")
    rt = Runtime(Settings(home=home))
    yield rt
    rt.close()


def test_demo_model_beats_the_best_baseline_on_brier_and_is_calibrated(demo) -> None:
    card = win_model.ensure(demo).card
    m, b = card.metrics, card.baselines
    assert card.selected == "model" and b["model_beats_best"]
    assert m["brier"] < min(x["brier"] for x in (b["base_rate"], b["crm_stage"], b["age_logistic"]))
    assert m["auc"] > 0.75 and m["ece"] <= 0.03
    assert card.leakage == []  # nothing in the demo gives the outcome away


def test_slipping_enterprise_cluster_surfaces_in_slippage_alerts(demo) -> None:
    out = pipeline_changes(
        demo,
        Scope.everything(),
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        by="tier",
        min_pushes=3,
        min_days=365,
    )
    open_pushed = [d for d in out["alerts"]["deals"] if d["status"] == "open"]
    assert len(open_pushed) >= 15
    assert {d["tier"] for d in open_pushed} <= {"Strategic", "Enterprise"}


def test_slipping_deals_have_the_highest_risk_scores(demo) -> None:
    deals = risk_list(demo, Scope.everything(), top=100_000, explain=False)["deals"]
    top = sorted(deals, key=lambda d: -d["risk"])[:30]
    pushed = sum((d["n_pushes"] or 0) >= 3 for d in top)
    share = sum((d["n_pushes"] or 0) >= 3 for d in deals) / len(deals)
    assert pushed >= 6 and pushed / 30 >= 2.5 * share  # over-represented among the riskiest


def test_regional_lead_risk_list_and_forecast_only_hold_their_region(demo) -> None:
    scope = get_persona("emea_lead").scope
    deals = risk_list(demo, scope, top=1000, explain=False)["deals"]
    assert deals and {d["region"] for d in deals} == {"EMEA"}
    fc = forecast(demo, scope, by="region", scenarios=2000)
    assert [r.key for r in fc.rows] == ["EMEA"]
    assert fc.total.p10 <= fc.total.p50 <= fc.total.p90
    assert fc.total.quota is not None and fc.total.quota > 0


@pytest.mark.slow
def test_demo_backtest_replays_eight_quarters_and_its_bands_hold_about_eight_in_ten(demo) -> None:
    from revintel.forecast import BACKTEST_PERIODS
    from revintel.forecast.backtest import backtest

    out = backtest(demo, Scope.everything(), BACKTEST_PERIODS)
    assert out["quarters"] >= 8 and not out["skipped"]
    assert 0.7 <= out["coverage_p10_p90"] <= 0.9  # calibrated bands: about 80% of actuals inside P10-P90
    model = out["baselines"]["last_quarter_actual"]
    assert out["mape_p50"] < model["mape"]  # the P50 beats "last quarter again" on the same quarters
    assert out["mape_p50"] < out["baselines"]["crm_weighted_pipeline"]["mape"]
    # the live forecast of the same scope uses the band the standard backtest calibrated
    fc = forecast(demo, Scope.everything(), scenarios=2000)
    assert fc.model["band_scale"] == pytest.approx(out["band_scale"])
