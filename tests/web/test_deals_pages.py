"""Pages Deals, Deal detail, Forecast, Pipeline changes: same numbers as the CLI/API, scope applied."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.deals.risk import risk_list
from revintel.forecast.rollup import forecast
from revintel.http.auth import SESSION_COOKIE, session_cookie_value
from revintel.scope import get_persona
from revintel.web.templating import fmt


@pytest.fixture(scope="module")
def page(deals_rt) -> Iterator:
    """``page("emea_lead", "/deals")`` -> the response, signed in as that persona."""
    app = create_app(deals_rt.settings)
    clients: dict[str, TestClient] = {}

    def get(persona: str, path: str, **params: str):
        if persona not in clients:
            c = TestClient(app)
            c.cookies.set(SESSION_COOKIE, session_cookie_value(deals_rt.settings, {"persona": persona}))
            clients[persona] = c
        return clients[persona].get(path, params=params)

    yield get
    for c in clients.values():
        c.close()


def test_deals_page_lists_the_same_deals_as_the_risk_list_in_the_lead_s_region(page, deals_rt) -> None:
    r = page("emea_lead", "/deals", top="10")
    assert r.status_code == 200
    expected = risk_list(deals_rt, get_persona("emea_lead").scope, top=10, explain=False)["deals"]
    shown = re.findall(r'data-deal="([^"]+)"', r.text)
    assert shown == [d["opportunity_id"] for d in expected]
    assert "APAC" not in re.sub(r"<option[^>]*>.*?</option>", "", r.text)


def test_deal_page_shows_probability_drivers_actions_and_timeline(page, deals_rt) -> None:
    deal = risk_list(deals_rt, get_persona("cro").scope, top=1)["deals"][0]
    r = page("cro", f"/deals/{deal['opportunity_id']}")
    assert r.status_code == 200
    assert f"{deal['p_win'] * 100:.0f}%" in r.text
    for testid in ("drivers", "actions", "timeline"):
        assert f'data-testid="{testid}"' in r.text
    assert page("apac_lead", f"/deals/{deal['opportunity_id']}").status_code in (200, 404)


def test_model_page_shows_the_model_beside_its_baselines_and_the_leakage_audit(page, deals_rt) -> None:
    from revintel.deals import model as win_model

    card = win_model.ensure(deals_rt).card
    r = page("ceo", "/deals/model")
    assert r.status_code == 200
    for testid in ("model-verdict", "model-baselines", "model-leakage"):
        assert f'data-testid="{testid}"' in r.text
    assert f"{card.metrics['brier']:.3f}" in r.text
    assert f"{card.baselines['age_logistic']['brier']:.3f}" in r.text
    assert "Deal age only" in r.text and card.version not in r.text
    assert ("beats the best baseline" in r.text) == (card.selected == "model")
    assert page("emea_lead", "/deals/model").status_code == 403  # firm-wide statistics: analytics only
    filtered = page("ceo", "/deals/model", region="EMEA")
    assert filtered.status_code == 200 and "one model for the whole firm" in filtered.text


def test_the_model_page_is_reachable_from_the_navigation_and_the_model_s_words(page) -> None:
    deals = page("ceo", "/deals").text
    assert 'href="/deals/model"' in deals  # the sidebar's Pipeline section
    assert 'data-testid="model-link"' in deals  # "model trained ..." links to the card
    lead = page("emea_lead", "/deals").text  # no analytics permission: neither link
    assert 'href="/deals/model' not in lead and 'data-testid="model-link"' not in lead


def test_forecast_page_shows_the_cli_numbers_and_backtest_coverage(page, deals_rt) -> None:
    r = page("ceo", "/forecast", by="region", bt_periods="2")  # shares the backtest test's cached run
    assert r.status_code == 200
    f = forecast(deals_rt, get_persona("ceo").scope, None, "region")
    assert fmt(f.total.p50, "currency") in r.text and fmt(f.total.p90, "currency") in r.text
    assert 'data-testid="weekly-table"' in r.text and 'id="chart-weekly"' in r.text  # the weekly view
    assert 'data-testid="backtest-coverage"' in r.text and "target 80%" in r.text


def test_pipeline_changes_page_renders_the_waterfall_and_alerts(page) -> None:
    r = page("cro", "/pipeline/changes", **{"from": "2025-07-01", "to": "2025-12-31"})
    assert r.status_code == 200
    assert 'data-testid="waterfall-table"' in r.text and 'data-testid="slippage"' in r.text


def test_region_filter_outside_the_scope_is_not_applied_and_the_page_says_so(page) -> None:
    r = page("emea_lead", "/deals", region="APAC")
    assert r.status_code == 200
    assert "Region APAC is outside your scope (EMEA), so it was not applied." in r.text
    assert "<td>APAC</td>" not in r.text.split('data-testid="risk-table"')[-1]  # the scope was not widened


def test_forecast_page_shows_progress_while_its_inputs_are_precomputed_then_fills_in(
    deals_rt, monkeypatch
) -> None:
    import threading
    import time

    from revintel import precompute

    release = threading.Event()
    monkeypatch.setattr(precompute, "STEPS", (("win model", lambda rt, as_of: release.wait(30)),))
    app = create_app(deals_rt.settings)
    with TestClient(app) as c:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(deals_rt.settings, {"persona": "cfo"}))
        app.state.runtime.precompute.start()
        t0 = time.monotonic()
        r = c.get("/forecast")
        waited = time.monotonic() - t0
        assert r.status_code == 200 and 'data-testid="pending"' in r.text
        assert 'http-equiv="refresh"' in r.text and "now: win model" in r.text
        assert waited < 5  # one second of waiting plus rendering, never the whole computation
        release.set()
        app.state.runtime.precompute.join(30)
        r = c.get("/forecast")
        assert r.status_code == 200 and 'data-testid="pending"' not in r.text
        assert 'data-testid="p50"' in r.text


def _charts(html: str) -> dict[str, dict]:
    """The page's embedded Plotly figures by element id."""
    import json

    found = re.findall(r'<script type="application/json" data-chart-for="([^"]+)">(.*?)</script>', html, re.S)
    return {k: json.loads(v) for k, v in found}


def _range_points(html: str) -> dict[str, float]:
    """The Forecast page's P50 markers: row key -> value, as the range chart draws them."""
    p50 = next(t for t in _charts(html)["chart-forecast"]["data"] if t.get("name") == "P50")
    return dict(zip(p50["y"], p50["x"], strict=True))


def test_forecast_charts_are_kept_per_scope_a_lead_never_gets_the_ceo_s(page) -> None:
    ceo = _range_points(page("ceo", "/forecast", by="region").text)
    lead = _range_points(page("emea_lead", "/forecast", by="region").text)
    assert len(ceo) > 2 and set(lead) == {"EMEA", "total"}
    assert lead["total"] != ceo["total"]
    assert _range_points(page("ceo", "/forecast", by="region").text) == ceo  # the CEO's kept charts


@pytest.mark.slow
def test_forecast_charts_follow_a_new_load(tmp_path) -> None:
    from revintel.config import Settings
    from revintel.deals import synthetic
    from revintel.runtime import Runtime

    rt = Runtime(Settings(home=tmp_path / "home"))
    synthetic.load(rt.warehouse, synthetic.generate(n_deals=300, seed=7))
    with TestClient(create_app(rt.settings)) as c:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(rt.settings, {"persona": "ceo"}))
        before = _range_points(c.get("/forecast", params={"by": "region"}).text)
        app_rt = c.app.state.runtime  # type: ignore[attr-defined]
        synthetic.load(app_rt.warehouse, synthetic.generate(n_deals=300, seed=8))
        after = _range_points(c.get("/forecast", params={"by": "region"}).text)
        now = forecast(app_rt, get_persona("ceo").scope, None, "region", weekly=True)
    assert after != before
    assert after["total"] == pytest.approx(now.total.p50)
    assert all(after[r.key] == pytest.approx(r.p50) for r in now.rows)
    rt.close()
