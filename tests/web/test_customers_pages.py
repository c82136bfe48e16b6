"""Customers over HTTP and on pages: the same service for API and page, row scope on both."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.slow  # trains the churn model on the session app's demo once (~30 s)


def test_api_and_pages_show_only_the_callers_region_and_404_outside_it(demo_as) -> None:
    emea = demo_as("emea_lead")
    r = emea.get("/api/customers/risk?days=365&top=500")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["renewals"] and {x["region"] for x in body["renewals"]} == {"EMEA"}
    mine = body["renewals"][0]["account_id"]
    cfo = demo_as("cfo").get("/api/customers/risk?days=365&top=500").json()
    other = next(x["account_id"] for x in cfo["renewals"] if x["region"] != "EMEA")
    assert emea.get(f"/api/customers/{other}").status_code == 404
    assert emea.get(f"/customers/{other}").status_code == 404
    page = emea.get(f"/customers/{mine}")
    assert page.status_code == 200 and "Churn risk at renewal" in page.text and "Next actions" in page.text
    same = emea.get(f"/api/customers/{mine}").json()
    assert same["p_churn"] == body["renewals"][0]["p_churn"]  # one owner for the figure


def test_customers_page_has_health_risk_expansion_and_retention(demo_as) -> None:
    page = demo_as("cro").get("/customers")
    assert page.status_code == 200
    for part in ("customers-retention", "customers-health", "customers-risk", "customers-expansion"):
        assert f'data-testid="{part}"' in page.text
    assert "Traceback" not in page.text


def test_model_card_needs_the_analytics_permission(demo_as) -> None:
    assert demo_as("emea_lead").get("/api/customers/model").status_code == 403
    card = demo_as("cfo").get("/api/customers/model").json()
    assert card["protocol"] == "time-ordered" and "baselines" in card


def test_csv_and_xlsx_downloads_hold_only_the_callers_customers(demo_as) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    emea = demo_as("emea_lead")
    r = emea.get("/customers/export/risk.csv?days=90")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["region"] for row in rows} == {"EMEA"}
    api = emea.get("/api/customers/risk?days=90&top=1").json()
    assert len(rows) == api["customers"]  # every renewal in 90 days, not only the page's top
    first = rows[0]
    assert first["account_id"] == api["renewals"][0]["account_id"]
    assert float(first["p_churn"]) == pytest.approx(api["renewals"][0]["p_churn"])  # one owner
    x = emea.get("/customers/export/expansion.xlsx")
    assert x.status_code == 200 and "spreadsheetml" in x.headers["content-type"]
    ws = load_workbook(io.BytesIO(x.content)).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["account_id", "account", "region"]
    assert {ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)} == {"EMEA"}
    # a region filter outside the scope cannot be applied to a file, so the download is refused
    assert emea.get("/customers/export/risk.csv?region=APAC").status_code == 403
    assert demo_as("marketing").get("/customers/export/risk.csv").status_code == 403
