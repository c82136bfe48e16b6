"""The dashboard on demo data: one card per headline KPI with numbers, scoped per persona."""

from __future__ import annotations

import csv
import io
import re

from revintel.appdb import audit

VALUE = re.compile(r'data-testid="kpi-value"[^>]*>([^<]*)<')


def values(html: str) -> list[str]:
    return VALUE.findall(html)


def test_ceo_sees_at_least_eight_live_cards_each_linking_to_its_drill_down(demo_as):
    page = demo_as("ceo").get("/")
    assert page.status_code == 200
    nums = values(page.text)
    assert len(nums) >= 8 and all(re.search(r"\d", n) for n in nums)
    for metric in (
        "chargeable_hours",
        "chargeability",
        "delivery_margin",
        "staff_attrition",
        "sales_forecast",
    ):
        assert f'href="/kpi/{metric}"' in page.text
    assert "vs budget" in page.text and "vs PY" in page.text and "<polyline" in page.text


def test_variances_are_coloured_by_metric_direction(demo_as):
    page = demo_as("ceo").get("/").text
    assert re.search(r'class="(good|bad)" title="vs budget', page)
    assert re.search(r'class="(good|bad)" title="vs prior year', page)


def test_region_filter_changes_the_numbers_and_is_kept_in_card_links(demo_as):
    c = demo_as("ceo")
    everything, emea = values(c.get("/").text), values(c.get("/?region=EMEA").text)
    assert everything[0] != emea[0]
    assert 'href="/kpi/chargeable_hours?region=EMEA"' in c.get("/?region=EMEA").text


def test_regional_lead_sees_only_its_region_whatever_the_filter(demo_as):
    c = demo_as("emea_lead")
    own = c.get("/")
    assert own.status_code == 200 and "region in (EMEA)" in own.text
    assert values(own.text) == values(demo_as("ceo").get("/?region=EMEA").text)
    other = c.get("/?region=APAC")  # a page: the filter is not applied, the page says so, never wider
    assert other.status_code == 200
    assert "Region APAC is outside your scope (EMEA), so it was not applied." in other.text
    assert values(other.text) == values(own.text)
    assert c.get("/dashboard.csv?region=APAC").status_code == 403  # a file cannot say so: refused


def test_exec_sponsor_gets_the_summary_without_drill_downs(demo_as):
    page = demo_as("sponsor").get("/")
    assert page.status_code == 200 and len(values(page.text)) >= 8
    assert 'href="/kpi/' not in page.text and "summary only" in page.text


def test_dashboard_csv_lists_every_card(demo_as):
    r = demo_as("cfo").get("/dashboard.csv?period=QTD")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) >= 8 and {"metric", "value", "budget", "var_py"} <= set(rows[0])


def test_dashboard_views_are_audited(demo_as, demo_app):
    demo_as("cro").get("/?period=QTD")
    ev = audit.events(demo_app.state.runtime.appdb, actor="cro", action="query")[0]
    assert ev["target"] == "dashboard" and ev["detail"]["period"] == "QTD" and ev["rows"] >= 8


def test_an_impossible_period_is_a_400_page_saying_so(demo_as):
    r = demo_as("ceo").get("/?period=someday")
    assert r.status_code == 400 and "someday" in r.text
