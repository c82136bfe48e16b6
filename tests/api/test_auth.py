"""Secure mode: passwords, sessions, cookies, CSRF, lockout, API tokens, and the sign-in gate."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from revintel.app import create_app
from revintel.appdb import audit, users
from revintel.config import Settings
from revintel.errors import ConfigError
from revintel.runtime import Runtime

SECRET = "a-long-random-secret-for-tests-only"
PASSWORD = "correct horse battery"


@pytest.fixture
def secure(home) -> Runtime:
    rt = Runtime(Settings(home=home, auth="secure", secret_key=SECRET, lockout_attempts=3))
    users.add_user(rt.appdb, "elena", "regional_lead", PASSWORD, {"region": ["EMEA"]}, "Elena Rossi")
    yield rt
    rt.close()


@pytest.fixture
def client(secure) -> TestClient:
    with TestClient(create_app(secure.settings)) as c:
        yield c


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(c: TestClient, name: str = "elena", password: str = PASSWORD):
    page = c.get("/login")
    return c.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )


def test_secure_mode_refuses_to_start_with_the_default_secret(home):
    with pytest.raises(ConfigError, match="default or a short secret"):
        create_app(Settings(home=home, auth="secure"))


def test_login_page_asks_for_a_password_and_lists_no_personas(client):
    page = client.get("/login")
    assert 'type="password"' in page.text and "data-persona" not in page.text
    assert "Demo mode" not in page.text


def test_right_password_starts_an_httponly_samesite_session(client):
    r = sign_in(client)
    assert r.status_code == 303
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("revintel_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    me = client.get("/api/me").json()
    assert me["id"] == "elena" and me["scope"]["rows"] == {"region": ["EMEA"]}


def test_session_cookie_is_secure_over_https(secure):
    with TestClient(create_app(secure.settings), base_url="https://testserver") as c:
        cookies = sign_in(c).headers.get_list("set-cookie")
    cookie = next(h for h in cookies if h.startswith("revintel_session="))
    assert "Secure" in cookie


def test_wrong_password_is_rejected_with_a_message_and_audited(client, secure):
    r = sign_in(client, password="wrong password")
    assert r.status_code == 401
    assert "wrong user name or password" in r.text
    assert client.get("/api/me").status_code == 401
    denied = audit.events(secure.appdb, action="signin")
    assert denied[0]["actor"] == "elena" and denied[0]["outcome"] == "denied"
    assert denied[0]["detail"]["reason"] == "wrong password"  # the real reason stays in the audit trail


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client):
    assert "wrong user name or password" in sign_in(client, name="nobody").text


def test_sign_in_without_csrf_token_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"username": "elena", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/api/me").status_code == 401


def test_demo_persona_sign_in_does_not_work_in_secure_mode(client):
    page = client.get("/login")
    r = client.post("/login", data={"persona": "ceo", "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 401
    assert client.get("/api/me").status_code == 401


def test_account_locks_after_repeated_failures_even_for_the_right_password(client, secure):
    for _ in range(3):
        assert sign_in(client, password="nope-nope").status_code == 401
    r = sign_in(client)
    assert r.status_code == 401 and "locked" not in r.text and users.SIGNIN_FAILED in r.text
    assert "locked" in audit.events(secure.appdb, action="signin")[0]["detail"]["reason"]
    assert users.get_user(secure.appdb, "elena").locked_until is not None
    users.set_disabled(secure.appdb, "elena", False)  # an admin re-enables: unlocks
    assert sign_in(client).status_code == 303


def test_only_a_digest_of_the_session_id_is_stored(client, secure):
    sign_in(client)
    from revintel.http.auth import read_session_cookie

    sid = read_session_cookie(secure.settings, client.cookies["revintel_session"])["sid"]
    with secure.appdb.session() as s:
        stored = list(s.scalars(select(users.UserSession.id_hash)))
    assert stored == [users.digest(sid)] and sid not in stored


def test_logout_ends_the_session_on_the_server(client, secure):
    sign_in(client)
    stolen = client.cookies["revintel_session"]
    page = client.get("/admin/data", headers={"accept": "text/html"})  # any page carries the token
    client.post("/logout", data={"csrf_token": _csrf(page.text)})
    client.cookies.set("revintel_session", stolen)  # replaying the old cookie does not work
    assert client.get("/api/me").status_code == 401


def test_api_token_works_as_bearer_without_csrf(secure):
    token = users.create_token(secure.appdb, "elena")
    with TestClient(create_app(secure.settings)) as c:
        r = c.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["via"] == "token"
        assert c.post("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 405
        bad = c.get("/api/me", headers={"Authorization": "Bearer rvi_forged"})
        assert bad.status_code == 401 and "invalid or revoked" in bad.json()["message"]


def test_disabling_an_account_revokes_its_tokens_and_sessions(client, secure):
    token = users.create_token(secure.appdb, "elena")
    sign_in(client)
    users.set_disabled(secure.appdb, "elena")
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    r = sign_in(client)
    assert r.status_code == 401 and "disabled" not in r.text and users.SIGNIN_FAILED in r.text


def test_tokens_are_stored_hashed(secure):
    token = users.create_token(secure.appdb, "elena")
    with secure.appdb.session() as s:
        hashes = list(s.scalars(select(users.ApiToken.token_hash)))
    assert token not in hashes and users.digest(token) in hashes


def _login_error(r) -> str:
    m = re.search(r'data-testid="login-error"><strong>(.*?)</strong>(?:<div>(.*?)</div>)?', r.text)
    return f"{m.group(1)} / {m.group(2)}"


def test_every_failed_sign_in_answers_the_same(secure):
    users.add_user(secure.appdb, "locked", "cfo", PASSWORD)
    users.add_user(secure.appdb, "gone", "cfo", PASSWORD)
    users.set_disabled(secure.appdb, "gone")
    users.add_user(secure.appdb, "robot", "fpa_analyst", None)  # token-only: no password
    with TestClient(create_app(secure.settings)) as c:
        for _ in range(3):
            sign_in(c, name="locked", password="nope-nope")
        answers = {
            why: sign_in(c, name=name, password=pw)
            for why, name, pw in [
                ("unknown", "nobody", PASSWORD),
                ("wrong", "elena", "wrong password"),
                ("locked", "locked", PASSWORD),
                ("disabled", "gone", PASSWORD),
                ("no password", "robot", PASSWORD),
            ]
        }
    assert {r.status_code for r in answers.values()} == {401}
    messages = {why: _login_error(r) for why, r in answers.items()}
    assert len(set(messages.values())) == 1, messages
    assert users.SIGNIN_FAILED in messages["locked"]
    reasons = [e["detail"]["reason"] for e in audit.events(secure.appdb, action="signin")[:5]]
    assert any("locked" in r for r in reasons) and "account disabled" in reasons


def test_failed_sign_ins_are_throttled_per_account_across_workers(home):
    settings = Settings(
        home=home, auth="secure", secret_key=SECRET, lockout_attempts=100, signin_limit_per_account=4
    )
    rt = Runtime(settings)
    users.add_user(rt.appdb, "elena", "regional_lead", PASSWORD, {"region": ["EMEA"]})
    rt.close()
    # two apps over one app database stand for two workers: the count is shared
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        for c in (a, b, a, b):
            assert sign_in(c, password="guess").status_code == 401
        r = sign_in(a)  # even the right password waits: the name is being guessed
        assert r.status_code == 429 and "too many failed sign-ins" in r.text
        assert int(r.headers["retry-after"]) > 0
        assert sign_in(b, name="ELENA ", password="guess").status_code == 429  # same name, other spelling


def test_failed_sign_ins_are_throttled_per_address_across_names(home):
    settings = Settings(home=home, auth="secure", secret_key=SECRET, signin_limit_per_address=6)
    rt = Runtime(settings)
    users.add_user(rt.appdb, "elena", "regional_lead", PASSWORD, {"region": ["EMEA"]})
    rt.close()
    with TestClient(create_app(settings)) as c:
        codes = [sign_in(c, name=f"user{i}", password="Winter2025!").status_code for i in range(8)]
        assert codes == [401] * 6 + [429] * 2
        assert sign_in(c).status_code == 429  # this address waits, whichever name it tries
    with TestClient(create_app(settings), client=("203.0.113.9", 5000)) as other:
        assert sign_in(other).status_code == 303  # another address is not held up


def test_a_successful_sign_in_clears_the_name_count(home):
    settings = Settings(home=home, auth="secure", secret_key=SECRET, signin_limit_per_account=3)
    rt = Runtime(settings)
    users.add_user(rt.appdb, "elena", "regional_lead", PASSWORD, {"region": ["EMEA"]})
    rt.close()
    with TestClient(create_app(settings)) as c:
        for _ in range(2):
            sign_in(c, password="typo")
        assert sign_in(c).status_code == 303
        c.cookies.clear()
        for _ in range(2):
            assert sign_in(c, password="typo").status_code == 401
