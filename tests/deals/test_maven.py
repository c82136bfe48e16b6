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
    assert metrics["brier"] < metrics["base_rate_brier"]
    assert 0 <= metrics["ece"] < 0.1
    assert m.card.n_train > 1000 and m.card.n_test > 500

    risk = risk_list(rt, Scope.everything(), as_of=AS_OF, top=10)
    assert risk["model"] == m.card.version
    assert risk["count"] > 100 and len(risk["deals"]) == 10
    assert all(0 <= d["risk"] <= 100 and 0 <= d["p_win"] <= 1 for d in risk["deals"])
    assert all(d["drivers"]["positive"] or d["drivers"]["negative"] for d in risk["deals"])

    fc = forecast(rt, Scope.everything(), by="region", as_of=AS_OF, scenarios=2000)
    assert fc.period["start"] == "2017-10-01"
    t = fc.total
    assert 0 < t.p10 <= t.p50 <= t.p90 < t.pipeline
    assert {r.key for r in fc.rows} == {"Central", "East", "West"}
