"""On the public maven CRM data (no history table; dates end in 2017), with an as-of date in 2017."""

from __future__ import annotations

import datetime as dt

import pytest

from revintel.deals import model as win_model
from revintel.deals.risk import risk_list
from revintel.forecast.rollup import forecast
from revintel.scope import Scope

AS_OF = dt.date(2017, 9, 30)


@pytest.mark.external
def test_maven_as_of_2017_model_beats_base_rate_and_risk_list_and_forecast_work(rt, shared_data) -> None:
    from revintel.warehouse.ingest import ingest

    ingest("maven", shared_data / "maven-crm", rt.settings, rt.warehouse)

    m = win_model.train(rt, AS_OF)
    metrics = m.card.metrics
    assert m.card.as_of == "2017-09-30" and not m.card.history
    assert m.card.data_window["labels_known_by"] == "2017-09-30"
    leaks = {f["column"]: f for f in m.card.leakage}
    assert leaks["account_id"]["check"] == "missingness"  # blank only for deals that never closed
    assert not {"sector", "account_win_rate", "account_won_before"} & set(m.card.features)
    assert {"base_rate", "age_logistic"} <= set(m.card.baselines) and m.card.baselines["crm_stage"] is None
    assert 0 <= metrics["ece"] < 0.1
    assert m.card.n_train > 1000 and m.card.n_test > 500
    assert m.card.forward["available"] and m.card.forward["outcomes_known_by"] == "2017-12-31"

    risk = risk_list(rt, Scope.everything(), as_of=AS_OF, top=10)
    assert risk["model"] == m.card.version
    assert risk["count"] > 100 and len(risk["deals"]) == 10
    assert all(0 <= d["risk"] <= 100 and 0 <= d["p_win"] <= 1 for d in risk["deals"])
    for d in risk["deals"]:  # the drivers say how the deal gets from the base rate to its probability
        drv = d["drivers"]
        listed = sum(x["effect"] for x in drv["positive"] + drv["negative"])
        assert drv["base_rate"] + listed + drv["other"] == pytest.approx(d["p_win"], abs=1e-6)
        assert (drv["positive"] or drv["negative"]) or abs(d["p_win"] - drv["base_rate"]) < 1e-6
        assert not any(
            "Sector" in x["text"] or "ccount" in x["text"] for x in drv["positive"] + drv["negative"]
        )

    fc = forecast(rt, Scope.everything(), by="region", as_of=AS_OF, scenarios=2000)
    assert fc.period["start"] == "2017-10-01"
    t = fc.total
    assert 0 < t.p10 <= t.p50 <= t.p90 < t.pipeline
    assert {r.key for r in fc.rows} == {"Central", "East", "West"}


@pytest.mark.external
@pytest.mark.slow
def test_maven_skill_holds_when_the_account_is_blank_for_every_deal(rt, shared_data, tmp_path) -> None:
    import shutil

    import pandas as pd

    from revintel.config import Settings
    from revintel.runtime import Runtime
    from revintel.warehouse.ingest import ingest

    ingest("maven", shared_data / "maven-crm", rt.settings, rt.warehouse)
    real = win_model.train(rt, AS_OF, save=False).card
    blank_dir = tmp_path / "maven-blank"
    shutil.copytree(shared_data / "maven-crm", blank_dir)
    pipe = pd.read_csv(blank_dir / "sales_pipeline.csv", dtype=str)
    pipe["account"] = None
    pipe.to_csv(blank_dir / "sales_pipeline.csv", index=False)
    other = Runtime(Settings(home=tmp_path / "home-blank"))
    try:
        ingest("maven", blank_dir, other.settings, other.warehouse)
        blank = win_model.train(other, AS_OF, save=False).card
    finally:
        other.close()
    assert blank.leakage == []  # nothing to find: no deal has an account
    assert abs(blank.metrics["brier"] - real.metrics["brier"]) < 0.01
    assert abs(blank.metrics["auc"] - real.metrics["auc"]) < 0.03
    assert abs(blank.forward["model"]["brier"] - real.forward["model"]["brier"]) < 0.01
