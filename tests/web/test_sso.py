"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock, started in the test):
sign-in with PKCE, groups mapped to role and row scope, unmapped users, expired tokens and tokens
for another application refused, logout at the provider too."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from revintel.appdb import users
from revintel.config import Settings
from revintel.errors import AuthRequired
from revintel.http import sso

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

GROUP_MAP = """
groups:
  revintel-finance: {role: cfo}
  revintel-emea: {role: regional_lead, scope: {region: EMEA}}
"""


@pytest.fixture
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    people = [
        User(
            sub="elena",
            claims={"email": "elena@corp.example", "name": "Elena", "groups": ["staff", "revintel-emea"]},
        ),
        User(
            sub="frank", claims={"email": "frank@corp.example", "name": "F", "groups": ["revintel-finance"]}
        ),
        User(sub="guest", claims={"email": "guest@corp.example", "groups": ["staff"]}),
    ]
    with run_server_in_thread(user_claims=people, access_token_max_age=dt.timedelta(seconds=3)) as server:
        yield f"http://localhost:{server.server_port}"
    sso._discovery.cache_clear()


@pytest.fixture
def sso_settings(demo_rt, provider, tmp_path):
    gm = tmp_path / "groups.yaml"
    gm.write_text(GROUP_MAP, encoding="utf-8")
    base = demo_rt.settings.model_dump()
    base.update(
        auth="secure",
        secret_key=secrets.token_urlsafe(32),
        oidc_issuer=provider,
        oidc_client_id="revintel",
        oidc_client_secret="s3cret",
        oidc_group_map=gm,
    )
    return Settings(**base)


@pytest.fixture
def client(sso_settings):
    from revintel.app import create_app

    with TestClient(create_app(sso_settings), follow_redirects=False) as c:
        yield c


def _sign_in(client: TestClient, sub: str, next_path: str = "/") -> httpx.Response:
    start = client.get("/auth/oidc/login", params={"next": next_path})
    assert start.status_code == 303
    authorize = start.headers["location"]
    q = parse_qs(urlsplit(authorize).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"][0] and q["nonce"][0]
    answer = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text[:300]
    back = urlsplit(answer.headers["location"])
    return client.get(f"{back.path}?{back.query}")


def test_a_mapped_user_signs_in_with_the_scope_of_their_group(client, sso_settings):
    done = _sign_in(client, "elena", "/deals")
    assert done.status_code == 303 and done.headers["location"] == "/deals"
    summary = client.get("/api/kpis/summary", params={"period": "2025"})
    assert summary.status_code == 200
    assert summary.json()["scope"]["rows"] == {"region": ["EMEA"]}
    from revintel.runtime import Runtime

    rt = Runtime(sso_settings)
    acc = users.get_user(rt.appdb, "sso:elena@corp.example")
    assert acc.role == "regional_lead" and acc.display_name == "Elena"
    rt.close()


def test_a_user_in_no_mapped_group_is_refused(client):
    page = _sign_in(client, "guest")
    assert page.status_code == 403 and "no revintel role" in page.text
    assert client.get("/api/kpis/summary").status_code == 401


def test_a_forged_or_replayed_state_is_refused(client, provider):
    client.get("/auth/oidc/login")
    r = client.get("/auth/oidc/callback", params={"code": "abc", "state": "not-mine"})
    assert r.status_code == 401 and "does not match" in r.text


def test_logout_ends_the_session_here_and_at_the_provider(client, provider):
    _sign_in(client, "frank")
    assert client.get("/api/kpis/summary").status_code == 200
    out = client.post("/logout", headers={"X-CSRF-Token": _csrf(client)})
    assert out.status_code == 303 and out.headers["location"].startswith(provider + "/oauth2/end_session")
    assert client.get("/api/kpis/summary").status_code == 401


def test_a_disabled_sso_account_cannot_sign_in_again(client, sso_settings):
    _sign_in(client, "frank")
    from revintel.runtime import Runtime

    rt = Runtime(sso_settings)
    users.set_disabled(rt.appdb, "sso:frank@corp.example")
    rt.close()
    client.cookies.clear()
    assert _sign_in(client, "frank").status_code == 401


def _token_for(provider: str, client_id: str) -> str:
    doc = httpx.get(provider + "/.well-known/openid-configuration").json()
    redirect = "http://app.example/cb"
    code_url = httpx.post(
        doc["authorization_endpoint"],
        params={
            "client_id": client_id,
            "redirect_uri": redirect,
            "response_type": "code",
            "scope": "openid email",
        },
        data={"sub": "frank"},
        follow_redirects=False,
    ).headers["location"]
    code = parse_qs(urlsplit(code_url).query)["code"][0]
    tok = httpx.post(
        doc["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
        auth=(client_id, "x"),
    )
    return tok.json()["id_token"]


def test_a_token_for_another_application_is_refused(sso_settings, provider):
    doc = sso._discovery(provider)
    good = sso.verify_id_token(sso_settings, doc, _token_for(provider, "revintel"), None)
    assert good["sub"] == "frank"
    with pytest.raises(AuthRequired, match="another application"):
        sso.verify_id_token(sso_settings, doc, _token_for(provider, "some-other-app"), None)


def test_an_expired_token_is_refused(sso_settings, provider, monkeypatch):
    monkeypatch.setattr(sso, "LEEWAY_SECONDS", 0)
    token = _token_for(provider, "revintel")
    time.sleep(4.2)  # the provider issues tokens valid for 3 s
    with pytest.raises(AuthRequired, match=r"expired|refused"):
        sso.verify_id_token(sso_settings, sso._discovery(provider), token, None)


def _csrf(client: TestClient) -> str:
    from revintel.http.accounts import CSRF_COOKIE, csrf_token_for

    client.cookies.set(CSRF_COOKIE, "test-nonce")
    return csrf_token_for(client.app.state.runtime.settings, "test-nonce")
