"""The as-of picker: pages and API reads show the data as an earlier load left it, under the same scope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.config import Settings
from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
from revintel.http.auth import SESSION_COOKIE, session_cookie_value
from revintel.runtime import Runtime
from revintel.warehouse.demo import seed_demo
from revintel.warehouse.snapshots import list_snapshots


def _client(app, persona: str) -> TestClient:  # type: ignore[no-untyped-def]
    settings = app.state.runtime.settings
    c = TestClient(app, headers={"accept": "text/html"})
    c.cookies.set(CSRF_COOKIE, "n")
    c.headers[CSRF_HEADER] = csrf_token_for(settings, "n")
    c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": persona}))
    return c


def _headline(c: TestClient, **params: str) -> float:
    r = c.get("/api/kpis/summary", params=params, headers={"accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()["cards"][0]["value"]  # the first headline card


@pytest.mark.slow
def test_pages_and_api_read_a_picked_snapshot_under_the_same_scope(home) -> None:
    settings = Settings(home=home, snapshot_retention=3)
    rt = Runtime(settings)
    seed_demo(rt.warehouse, seed=1, scale=0.05)
    seed_demo(rt.warehouse, seed=2, scale=0.05)
    rt.close()
    older, newer = list_snapshots(home)[1], list_snapshots(home)[0]
    app = create_app(settings)
    with _client(app, "cfo") as cfo, _client(app, "emea_lead") as emea:
        live = _headline(cfo)
        then = _headline(cfo, snapshot=older["id"])
        assert then != live and _headline(cfo, snapshot=newer["id"]) == pytest.approx(live)

        # the picker remembers the choice for every page, and says so on the page
        r = cfo.get("/snapshot", params={"id": older["id"], "next": "/"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        page = cfo.get("/")
        assert page.status_code == 200 and 'data-testid="asof-banner"' in page.text
        assert f'value="{older["id"]}" selected' in page.text
        assert _headline(cfo) == pytest.approx(then)
        cfo.get("/snapshot", params={"id": "", "next": "/"})
        assert _headline(cfo) == pytest.approx(live) and 'data-testid="asof-banner"' not in cfo.get("/").text

        # scope applies unchanged: the EMEA lead's snapshot figures are EMEA-only
        emea_then = emea.get(
            "/api/kpis/summary", params={"snapshot": older["id"]}, headers={"accept": "application/json"}
        )
        assert emea_then.status_code == 200 and emea_then.json()["scope"]["rows"]["region"] == ["EMEA"]
        assert _headline(emea, snapshot=older["id"]) < then

        # an unknown snapshot is a clear 404; a stale cookie falls back to live data
        r = cfo.get("/api/kpis/summary", params={"snapshot": "19990101T000000000-x"},
                    headers={"accept": "application/json"})  # fmt: skip
        assert r.status_code == 404 and "no snapshot" in r.json()["message"]
        cfo.cookies.set("revintel_snapshot", "19990101T000000000-x")
        assert _headline(cfo) == pytest.approx(live)
