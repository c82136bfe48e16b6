"""KPI drill-down pages on demo data: charts, breakdown, bridge, definition, SQL, CSV, scope."""

from __future__ import annotations

import csv
import io
import json
import re

from revintel.appdb import audit


def chart_json(html: str, chart_id: str) -> dict:
    m = re.search(rf'<script type="application/json" data-chart-for="{chart_id}">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_drill_down_has_trend_breakdown_bridge_definition_and_sql(demo_as):
    page = demo_as("ceo").get("/kpi/chargeable_hours")
    assert page.status_code == 200
    html = page.text
    trend = chart_json(html, "chart-trend")
    assert {t["name"] for t in trend["data"]} >= {"Chargeable hours", "Budget", "Prior year"}
    assert len(trend["data"][0]["x"]) >= 12
    assert chart_json(html, "chart-bridge")["data"][0]["type"] == "waterfall"
    assert 'data-testid="breakdown-table"' in html and "Americas" in html
    assert html.count('data-testid="sql"') >= 4 and "SELECT" in html
    assert 'data-testid="definition"' in html
    assert '<script src="/static/vendor/plotly.min.js">' in html


def test_changing_the_breakdown_changes_the_table(demo_as):
    c = demo_as("ceo")
    by_region = c.get("/kpi/chargeable_hours?by=region").text
    by_capability = c.get("/kpi/chargeable_hours?by=capability").text
    assert "Breakdown by capability" in by_capability and "Consulting" in by_capability
    table = re.search(r'data-testid="breakdown-table">(.*?)</table>', by_region, re.S).group(1)
    assert "Consulting" not in table
    assert '<input type="hidden" name="by" value="capability">' in by_capability  # filters keep it


def test_a_dimension_the_metric_does_not_have_is_a_400_with_a_hint(demo_as):
    r = demo_as("ceo").get("/kpi/chargeable_hours?by=stage")
    assert r.status_code == 400 and "cannot be broken down by stage" in r.text


def test_regional_lead_cannot_widen_a_drill_down_by_url(demo_as):
    c = demo_as("apac_lead")
    assert c.get("/kpi/won_revenue").status_code == 200
    r = c.get("/kpi/won_revenue?region=EMEA")  # the page: not applied, said so, never wider
    assert r.status_code == 200
    assert "Region EMEA is outside your scope (APAC), so it was not applied." in r.text
    csv_r = c.get("/kpi/won_revenue/breakdown.csv?region=EMEA")
    assert csv_r.status_code == 403


def test_regional_lead_breakdown_holds_only_its_region(demo_as):
    html = demo_as("apac_lead").get("/kpi/won_revenue?by=region").text
    table = re.search(r'data-testid="breakdown-table">(.*?)</table>', html, re.S).group(1)
    assert "APAC" in table and "EMEA" not in table and "Americas" not in table


def test_sponsor_and_out_of_domain_roles_cannot_drill(demo_as):
    assert demo_as("sponsor").get("/kpi/won_revenue").status_code == 403
    assert demo_as("account_exec").get("/kpi/chargeable_hours").status_code == 403  # services not in domain


def test_every_table_downloads_as_csv_and_is_audited(demo_as, demo_app):
    c = demo_as("cfo")
    for part, first in (("trend", "month"), ("breakdown", "capability"), ("bridge", "label")):
        r = c.get(f"/kpi/fees/{part}.csv?by=capability")
        assert r.status_code == 200, part
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0][0] == first and len(rows) > 2
        assert "attachment" in r.headers["content-disposition"]
    ev = audit.events(demo_app.state.runtime.appdb, actor="cfo", action="export")[0]
    assert ev["target"] == "kpi/fees/bridge.csv" and ev["sql"] and ev["rows"] >= 1


def test_drill_down_views_are_audited_with_sql(demo_as, demo_app):
    demo_as("cro").get("/kpi/win_rate")
    ev = audit.events(demo_app.state.runtime.appdb, actor="cro", action="query")[0]
    assert ev["target"] == "kpi/win_rate" and "SELECT" in ev["sql"]


def test_unknown_metric_says_so(demo_as):
    r = demo_as("ceo").get("/kpi/chargable_hours")
    assert r.status_code in (400, 404) and "chargable_hours" in r.text and "chargeable_hours" in r.text
