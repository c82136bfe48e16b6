"""The app shell: sign-in gate, login/logout, CSRF, error pages, static assets, nav and filters."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.scope import get_persona
from revintel.web.filters import GlobalFilters
from revintel.web.nav import NAV, visible

HTML = {"accept": "text/html"}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def browser(rt) -> TestClient:
    with TestClient(create_app(rt.settings)) as c:
        yield c


def test_signed_out_page_redirects_to_login_and_api_answers_401(browser):
    r = browser.get("/admin/audit?region=EMEA", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fadmin%2Faudit%3Fregion%3DEMEA"
    r = browser.get("/api/me")
    assert r.status_code == 401
    assert r.json()["error"] == "auth_required"


@pytest.mark.parametrize("path", ["/api/health", "/login", "/static/app.css", "/static/vendor/plotly.min.js"])
def test_public_paths_need_no_sign_in(browser, path):
    assert browser.get(path).status_code == 200


def test_plotly_is_served_from_the_installed_wheel(browser):
    import plotly

    r = browser.get("/static/vendor/plotly.min.js")
    assert r.headers["content-type"].startswith("text/javascript")
    assert len(r.content) > 1_000_000
    assert plotly.__file__  # the file comes from the package, not the repo


def test_login_lists_every_demo_persona_and_one_click_signs_in(browser, rt):
    page = browser.get("/login")
    assert "Demo mode" in page.text
    for pid in ("ceo", "emea_lead", "sponsor", "data_steward"):
        assert f'data-persona="{pid}"' in page.text
    form = {"persona": "emea_lead", "csrf_token": _csrf(page.text), "next": "/admin/x"}
    r = browser.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/x"
    me = browser.get("/api/me").json()
    assert me["id"] == "emea_lead" and me["scope"]["rows"] == {"region": ["EMEA"]}


def test_login_never_redirects_off_site(browser):
    page = browser.get("/login")
    form = {"persona": "ceo", "csrf_token": _csrf(page.text), "next": "//evil.example/"}
    r = browser.post("/login", data=form, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_login_without_csrf_token_is_refused(browser):
    browser.get("/login")
    r = browser.post("/login", data={"persona": "ceo"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert browser.get("/api/me").status_code == 401


def test_csrf_token_from_another_browser_is_refused(rt):
    with TestClient(create_app(rt.settings)) as a, TestClient(create_app(rt.settings)) as b:
        token_a = _csrf(a.get("/login").text)
        b.get("/login")
        r = b.post("/login", data={"persona": "ceo", "csrf_token": token_a}, follow_redirects=False)
        assert r.status_code == 403


def test_logout_ends_the_session_and_needs_csrf(browser):
    page = browser.get("/login")
    browser.post("/login", data={"persona": "cfo", "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert browser.get("/api/me").status_code == 200
    assert browser.post("/logout", follow_redirects=False).status_code == 403
    page = browser.get("/admin/audit", headers=HTML)
    r = browser.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert browser.get("/api/me").status_code == 401


def test_shell_shows_persona_scope_and_demo_label(client_as):
    page = client_as("emea_lead").get("/admin/audit", headers=HTML)  # 403 page still has the shell
    assert page.status_code == 403
    assert "Elena Rossi" in page.text and "region in (EMEA)" in page.text
    assert 'data-testid="demo-banner"' in page.text


def test_error_page_for_browsers_json_for_api(client_as):
    c = client_as("ceo")
    page = c.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert "no page at /no/such/page" in page.text and "<html" in page.text
    api = c.get("/api/no/such")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_role_without_permission_gets_403_page_explaining_why(client_as):
    page = client_as("sponsor").get("/admin/data", headers=HTML)
    assert page.status_code == 403
    assert "does not allow this" in page.text and "manage_data" in page.text


def test_nav_shows_admin_links_only_to_roles_that_may_use_them():
    import revintel.web.pages.admin  # noqa: F401  (registers its entries)

    def paths(persona: str) -> set[str]:
        return {i.path for _, items in visible(get_persona(persona).scope) for i in items}

    assert {"/admin/data", "/admin/upload", "/admin/audit"} <= paths("data_steward")
    assert "/admin/audit" in paths("ceo") and "/admin/data" not in paths("ceo")
    assert not {p for p in paths("sponsor") if p.startswith("/admin")}
    assert "/admin/users" not in {
        i.path for _, items in visible(get_persona("ceo").scope, secure=True) for i in items
    }
    assert any(n.path == "/admin/users" and n.secure_only for n in NAV)


def test_filter_can_narrow_but_never_widen_a_scope():
    emea = get_persona("emea_lead").scope
    narrowed = GlobalFilters(region="EMEA", capability="Consulting").apply(emea)
    assert narrowed.filters == {"region": ("EMEA",), "capability": ("Consulting",)}
    from revintel.errors import Forbidden

    with pytest.raises(Forbidden, match="APAC"):
        GlobalFilters(region="APAC").apply(emea)
    notes: list[str] = []  # a page: the filter is not applied, a sentence says so, the scope stays
    assert GlobalFilters(region="APAC").apply(emea, notes) == emea
    assert notes == ["Region APAC is outside your scope (EMEA), so it was not applied."]
    assert GlobalFilters(region="APAC").apply(get_persona("ceo").scope).filters == {"region": ("APAC",)}


def test_filters_are_kept_in_links():
    f = GlobalFilters(region="EMEA", period="QTD")
    assert f.query() == "?region=EMEA&period=QTD"
    assert f.query(region=None) == "?period=QTD"
    assert GlobalFilters().query() == ""


def test_every_response_carries_security_headers_and_pages_are_not_cached(browser):
    page = browser.get("/login")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]  # an injected <script> or onerror= would not run
    scripts = csp.split("style-src")[0]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in scripts
    assert "<script>" not in page.text  # no inline script for the policy to block
    assert "strict-transport-security" not in page.headers  # plain HTTP: HSTS would be ignored, and wrong
    secure = browser.get("https://testserver/login")
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    static = browser.get("/static/app.css")
    assert static.headers["x-content-type-options"] == "nosniff" and "no-store" not in static.headers.get(
        "cache-control", ""
    )


def test_empty_warehouse_dashboard_says_there_is_nothing_to_show(client_as):
    page = client_as("ceo").get("/", headers=HTML)
    assert page.status_code == 200 and 'data-testid="empty"' in page.text


def test_web_errors_carry_no_cli_commands_flags_or_server_paths():
    from revintel.web.errors import for_people

    got = for_people("back it up, then run `revintel db upgrade`")
    assert got == "back it up, then run the administrator's command"
    assert for_people("--to 2025-01-01 is before --from") == "to 2025-01-01 is before from"
    got = for_people("cannot read /srv/revintel/home/uploads/abc/deals.csv line 3")
    assert got == "cannot read deals.csv line 3"
    assert for_people("no page at /no/such/page (got 1.5)") == "no page at /no/such/page (got 1.5)"
