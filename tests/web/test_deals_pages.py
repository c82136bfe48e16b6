"""Pages Deals, Deal detail, Forecast, Pipeline changes: same numbers as the CLI/API, scope applied."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from revintel.api import create_app
from revintel.api.auth import SESSION_COOKIE, session_cookie_value
from revintel.deals.risk import risk_list
from revintel.forecast.rollup import forecast
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


def test_forecast_page_shows_the_cli_numbers_and_backtest_coverage(page, deals_rt) -> None:
    r = page("ceo", "/forecast", by="region", bt_periods="2")  # shares the backtest test's cached run
    assert r.status_code == 200
    f = forecast(deals_rt, get_persona("ceo").scope, None, "region")
    assert fmt(f.total.p50, "currency") in r.text and fmt(f.total.p90, "currency") in r.text
    assert 'data-testid="backtest-coverage"' in r.text and "target 80%" in r.text


def test_pipeline_changes_page_renders_the_waterfall_and_alerts(page) -> None:
    r = page("cro", "/pipeline/changes", **{"from": "2025-07-01", "to": "2025-12-31"})
    assert r.status_code == 200
    assert 'data-testid="waterfall-table"' in r.text and 'data-testid="slippage"' in r.text


def test_region_filter_outside_the_scope_is_forbidden(page) -> None:
    assert page("emea_lead", "/deals", region="APAC").status_code == 403
