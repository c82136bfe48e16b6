"""One number everywhere on the public maven CRM data (pipeline-only KPIs, dates in 2016-2017)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from revintel.scope import get_persona

from . import surfaces as sf

pytestmark = [pytest.mark.external, pytest.mark.slow]


@pytest.fixture(scope="module")
def shared_data_dir():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def maven_app(tmp_path_factory: pytest.TempPathFactory, shared_data_dir) -> Iterator:  # type: ignore[no-untyped-def]
    from revintel.app import create_app
    from revintel.config import Settings
    from revintel.warehouse.ingest import ingest

    home = tmp_path_factory.mktemp("maven-home")
    settings = Settings(
        home=home, auth="demo", warehouse=None, app_db=None, personas_file=None, metrics_file=None, as_of=None
    )
    app = create_app(settings)
    rt = app.state.runtime
    ingest("maven", shared_data_dir / "maven-crm", rt.settings, rt.warehouse)
    yield app
    rt.close()


@pytest.mark.parametrize(
    ("persona", "period"),
    [("cfo", ""), ("cfo", "last quarter"), ("emea_lead", ""), ("sales_manager", "last quarter")],
)
def test_maven_kpi_cards_agree_on_page_csv_and_api(maven_app, persona, period):
    from fastapi.testclient import TestClient

    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    rt = maven_app.state.runtime
    want = sf.expected_cards(rt.kpis.summary(get_persona(persona).scope, period or None))
    assert want or persona != "cfo"  # maven holds pipeline KPIs the CFO sees
    c = TestClient(maven_app)  # no lifespan: the app's MCP session manager runs once per process
    try:
        c.cookies.set(SESSION_COOKIE, session_cookie_value(rt.settings, {"persona": persona}))
        q = f"?period={period}" if period else ""
        page = c.get("/" + q, headers=sf.HTML)
        assert page.status_code == 200
        assert not sf.same_where_shown(want, sf.dashboard_page(page.text))
        api = c.get("/api/kpis/summary", params={"period": period} if period else {}).json()
        assert not sf.same_where_shown(want, sf.api_cards(api))
        if get_persona(persona).scope.allows("export") and want:
            assert not sf.same_where_shown(want, sf.dashboard_csv(c.get("/dashboard.csv" + q).text))
    finally:
        c.close()
