"""In Chromium against a live server on demo data: personas, dashboard, drill-down, filters, scope."""

from __future__ import annotations

import re

import pytest

from .live import shot

pytestmark = pytest.mark.browser


def sign_in(page, base: str, persona: str) -> None:
    page.goto(f"{base}/login")
    page.click(f'button[data-persona="{persona}"]')
    page.wait_for_selector('[data-testid="who"]')


def card_values(page) -> list[str]:
    page.wait_for_selector('[data-testid="kpi-value"]')
    return page.locator('[data-testid="kpi-value"]').all_inner_texts()


@pytest.mark.parametrize(
    ("persona", "name", "scope"),
    [
        ("ceo", "Morgan Avery", "all rows"),
        ("emea_lead", "Elena Rossi", "region in (EMEA)"),
        ("sales_manager", "Tom Becker", "team in (EMEA Enterprise)"),
    ],
)
def test_sign_in_as_a_persona_shows_who_and_scope(page, demo_server, persona, name, scope):
    sign_in(page, demo_server.url, persona)
    who = page.locator('[data-testid="who"]').inner_text()
    assert name in who and scope in who
    assert page.locator('[data-testid="demo-banner"]').is_visible()


def test_dashboard_shows_every_card_with_a_number(page, demo_server):
    sign_in(page, demo_server.url, "ceo")
    values = card_values(page)
    assert len(values) >= 8
    assert all(re.search(r"\d", v) for v in values), values
    assert page.locator('[data-testid="kpi-card"] polyline').count() >= 8
    shot(page, "dashboard")


def test_drill_down_draws_charts_and_the_breakdown_can_change(page, demo_server):
    sign_in(page, demo_server.url, "ceo")
    page.click('[data-metric="chargeable_hours"]')
    page.wait_for_url(re.compile(r"/kpi/chargeable_hours"))
    page.wait_for_selector("#chart-trend .main-svg")
    page.wait_for_selector("#chart-bridge .main-svg")
    table = page.locator('[data-testid="breakdown-table"]')
    assert "EMEA" in table.inner_text()
    page.click('.tabs a[data-by="capability"]')
    page.wait_for_url(re.compile(r"by=capability"))
    page.wait_for_selector("#chart-breakdown .main-svg")
    assert "Consulting" in page.locator('[data-testid="breakdown-table"]').inner_text()
    shot(page, "drilldown")
    page.locator('[data-testid="sql"] summary').first.click()
    assert "SELECT" in page.locator('[data-testid="sql"] pre').first.inner_text()


def test_changing_a_global_filter_changes_the_numbers_and_stays_in_the_url(page, demo_server):
    sign_in(page, demo_server.url, "cfo")
    before = card_values(page)
    page.select_option('select[name="region"]', "APAC")
    page.wait_for_url(re.compile(r"region=APAC"))
    after = card_values(page)
    assert after != before
    page.click('a.nav-link:has-text("Dashboard")')
    page.wait_for_url(re.compile(r"region=APAC"))


def test_regional_lead_sees_only_its_region_whatever_the_url_says(page, demo_server):
    sign_in(page, demo_server.url, "emea_lead")
    options = page.locator('select[name="region"] option').all_inner_texts()
    assert options == ["EMEA"]
    resp = page.goto(f"{demo_server.url}/kpi/won_revenue?region=APAC")
    assert resp.status == 200  # the filter is not applied, the page says so, the scope stays EMEA
    note = page.locator('[data-testid="filter-note"]').inner_text()
    assert note == "Region APAC is outside your scope (EMEA), so it was not applied."


def test_phone_width_hides_the_sidebar_behind_a_menu_button(browser, demo_server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.set_default_timeout(60_000)
    p = ctx.new_page()
    sign_in(p, demo_server.url, "ceo")
    assert not p.locator("#sidebar").is_visible() or p.locator("#sidebar").bounding_box()["x"] < 0
    p.click("[data-toggle-sidebar]")
    p.wait_for_function("() => document.querySelector('#sidebar').getBoundingClientRect().x >= 0")
    p.keyboard.press("Escape")
    p.wait_for_function("() => document.querySelector('#sidebar').getBoundingClientRect().x < 0")
    p.click("[data-theme-toggle]")
    assert p.evaluate("document.documentElement.dataset.theme") in ("dark", "light")
    shot(p, "dashboard-phone")
    ctx.close()
