"""Admin pages in secure mode: an administrator manages accounts through the forms."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.appdb import audit, users
from revintel.config import Settings
from revintel.runtime import Runtime

HTML = {"accept": "text/html"}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(c: TestClient, name: str, password: str) -> None:
    page = c.get("/login")
    form = {"username": name, "password": password, "csrf_token": _csrf(page.text)}
    assert c.post("/login", data=form, follow_redirects=False).status_code == 303


@pytest.fixture
def admin(home):
    rt = Runtime(Settings(home=home, auth="secure", secret_key="admin-pages-test-secret-0123"))
    users.add_user(rt.appdb, "root", "admin", "root-password-1")
    with TestClient(create_app(rt.settings), headers=HTML) as c:
        sign_in(c, "root", "root-password-1")
        yield c, rt
    rt.close()


def test_admin_adds_an_account_issues_a_token_once_and_disables_it(admin):
    c, rt = admin
    page = c.get("/admin/users")
    assert page.status_code == 200 and 'href="/admin/users"' in page.text  # secure mode shows the link
    assert 'data-testid="roles-table"' in page.text and "manage_users" in page.text
    form = {
        "op": "add",
        "name": "aiko",
        "role": "regional_lead",
        "scope": "region=APAC",
        "password": "aiko-password-1",
        "csrf_token": _csrf(page.text),
    }
    r = c.post("/admin/users", data=form, follow_redirects=False)
    assert r.status_code == 303
    listing = c.get("/admin/users").text
    assert "aiko" in listing and "region in (APAC)" in listing
    shown = c.post("/admin/users", data={"op": "token", "name": "aiko", "csrf_token": _csrf(listing)})
    token = re.search(r"(rvi_[A-Za-z0-9_-]+)", shown.text).group(1)
    assert users.token_user(rt.appdb, token).name == "aiko"
    assert token not in c.get("/admin/users").text  # shown once
    c.post("/admin/users", data={"op": "disable", "name": "aiko", "csrf_token": _csrf(listing)})
    assert users.get_user(rt.appdb, "aiko").disabled
    done = {e["action"] for e in audit.events(rt.appdb, actor="root")}
    assert {"admin.user_add", "admin.token_issue", "admin.user_disable", "signin"} <= done


def test_a_bad_account_form_explains_the_problem(admin):
    c, _ = admin
    page = c.get("/admin/users")
    r = c.post(
        "/admin/users",
        data={
            "op": "add",
            "name": "x",
            "role": "regional_lead",
            "password": "",
            "csrf_token": _csrf(page.text),
        },
    )
    assert r.status_code == 400 and "needs a region scope" in r.text


def test_non_admins_cannot_open_user_management(home):
    rt = Runtime(Settings(home=home, auth="secure", secret_key="admin-pages-test-secret-0123"))
    users.add_user(rt.appdb, "fin", "cfo", "cfo-password-1")
    with TestClient(create_app(rt.settings), headers=HTML) as c:
        sign_in(c, "fin", "cfo-password-1")
        assert c.get("/admin/users").status_code == 403
    rt.close()


def test_data_page_on_demo_data_shows_counts_lineage_and_findings(demo_as):
    page = demo_as("data_steward").get("/admin/data")
    assert page.status_code == 200
    findings = re.search(r'data-testid="findings">(.*?)</table>', page.text, re.S).group(1)
    assert "close_date_pushed_repeatedly" in findings and ">nan<" not in findings
    assert "services_monthly" in page.text and "Load history" in page.text
