"""Admin API and pages: audit log, data sources, staged upload (validate, then load), users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from revintel.appdb import audit, users

HTML = {"accept": "text/html"}


def test_audit_log_needs_view_audit(client_as):
    assert client_as("ceo").get("/api/admin/audit").status_code == 200
    assert client_as("sales_manager").get("/api/admin/audit").status_code == 403


def test_sign_ins_and_admin_actions_are_audited_and_shown(client_as, rt):
    audit.record(
        rt.appdb, actor="emea_lead", action="query", target="won_revenue", sql="SELECT 1", rows=4, scope=None
    )
    c = client_as("data_steward")
    events = c.get("/api/admin/audit?action=query").json()["events"]
    assert events[0]["actor"] == "emea_lead" and events[0]["sql"] == "SELECT 1" and events[0]["rows"] == 4
    page = c.get("/admin/audit?actor=emea_lead", headers=HTML)
    assert page.status_code == 200 and "won_revenue" in page.text and "SELECT 1" in page.text


def test_data_page_shows_tables_and_counts(client_as, rt):
    from revintel.warehouse.backends import Change
    from revintel.warehouse.schema import table

    rows = table("reps").arrow_schema().empty_table()
    rt.warehouse.apply([Change("reps", rows, "replace")], {"dataset": "canonical"})
    c = client_as("data_steward")
    info = c.get("/api/admin/data").json()
    assert {"name": "reps", "rows": 0} in info["tables"] and info["dataset"] == "canonical"
    page = c.get("/admin/data", headers=HTML)
    assert page.status_code == 200 and "Load history" in page.text
    assert client_as("sponsor").get("/api/admin/data").status_code == 403


def test_upload_with_a_bad_file_shows_located_problems_and_loads_nothing(client_as, rt, tmp_path):
    c = client_as("data_steward")
    before = rt.warehouse.row_counts()
    bad = b"opportunity_id,amount\nx1,not-a-number\n"
    r = c.post(
        "/admin/upload",
        data={"source": "canonical"},
        files={"files": ("opportunities.csv", bad)},
        headers=HTML,
    )
    assert r.status_code in (400, 422)
    assert 'data-testid="error-box"' in r.text
    assert rt.warehouse.row_counts() == before
    assert audit.events(rt.appdb, action="admin.upload_validate")[0]["detail"]["outcome"] == "rejected"


def test_upload_needs_manage_data(client_as):
    r = client_as("cfo").post(
        "/admin/upload", data={"source": "canonical"}, files={"files": ("reps.csv", b"x\n")}, headers=HTML
    )
    assert r.status_code == 403


def test_staged_upload_ids_cannot_escape_the_upload_folder(client_as):
    r = client_as("data_steward").post("/api/admin/uploads/..%2F..%2Fetc/load", json={"source": "canonical"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\reps.csv", "reps.csv"),
        (".hidden.csv", "hidden.csv"),
        ("a b;rm.csv", "a b_rm.csv"),
    ],
)
def test_uploaded_file_names_are_sanitised(name, expected):
    from revintel.web.uploads import safe_filename

    assert safe_filename(name) == expected


def test_users_api_needs_admin(client_as):
    assert client_as("ceo").get("/api/admin/users").status_code == 403


def test_admin_manages_accounts_through_the_api_and_each_action_is_audited(home):
    from fastapi.testclient import TestClient

    from revintel.app import create_app
    from revintel.config import Settings
    from revintel.runtime import Runtime

    rt = Runtime(Settings(home=home, auth="secure", secret_key="another-long-test-secret"))
    users.add_user(rt.appdb, "root", "admin", None)
    bearer = {"Authorization": f"Bearer {users.create_token(rt.appdb, 'root')}"}
    with TestClient(create_app(rt.settings)) as c:
        new = {
            "name": "aiko",
            "role": "regional_lead",
            "password": "pw-aiko-123",
            "scope": {"region": ["APAC"]},
        }
        r = c.post("/api/admin/users", headers=bearer, json=new)
        assert r.status_code == 201 and r.json()["scope"]["rows"] == {"region": ["APAC"]}
        bad = c.post("/api/admin/users", headers=bearer, json={"name": "x", "role": "regional_lead"})
        assert bad.status_code == 400 and "needs a region scope" in bad.json()["message"]
        tok = c.post("/api/admin/users/aiko/token", headers=bearer).json()["token"]
        assert c.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).json()["id"] == "aiko"
        assert c.post("/api/admin/users/aiko/disable", headers=bearer).json()["disabled"] is True
        assert c.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
        names = [u["name"] for u in c.get("/api/admin/users", headers=bearer).json()["users"]]
        assert names == ["aiko", "root"]
    actions = [e["action"] for e in audit.events(rt.appdb) if e["actor"] == "root"]
    assert {"admin.user_add", "admin.token_issue", "admin.user_disable"} <= set(actions)
    rt.close()


def test_me_returns_scope_and_permissions(client_as):
    me = client_as("apac_lead").get("/api/me").json()
    assert me["scope"]["rows"] == {"region": ["APAC"]}
    assert "drill" in me["permissions"] and "view_audit" not in me["permissions"]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "canonical"


def _upload(c, names):
    files = [("files", (n, (FIXTURES / n).read_bytes())) for n in names]
    return c.post("/admin/upload", data={"source": "canonical"}, files=files, headers=HTML)


def test_upload_shows_the_validation_report_then_loads_only_on_confirm(client_as, rt):
    c = client_as("data_steward")
    names = sorted(p.name for p in FIXTURES.glob("*.csv"))
    page = _upload(c, names)
    assert page.status_code == 200, page.text[-2000:]
    assert 'data-testid="validation-report"' in page.text and "nothing has been loaded" in page.text
    assert rt.warehouse.row_counts().get("opportunities", 0) == 0  # validated, not loaded
    upload_id = re.search(r'action="/admin/upload/([^/"]+)/load"', page.text).group(1)
    done = c.post(f"/admin/upload/{upload_id}/load", data={"source": "canonical"}, headers=HTML)
    assert done.status_code == 200 and 'data-testid="load-report"' in done.text
    assert rt.warehouse.row_counts()["opportunities"] == 4
    again = c.post(f"/admin/upload/{upload_id}/load", data={"source": "canonical"}, headers=HTML)
    assert again.status_code == 404  # a staged upload loads once
    actions = [e["action"] for e in audit.events(rt.appdb, actor="data_steward")]
    assert "admin.ingest_load" in actions and "admin.upload_validate" in actions


def test_denied_access_is_audited(client_as, rt):
    client_as("emea_lead").get("/admin/data", headers=HTML)
    ev = audit.events(rt.appdb, actor="emea_lead")[0]
    assert ev["outcome"] == "denied" and ev["target"] == "/admin/data"
