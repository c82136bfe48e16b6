"""Per-user rate limits on the API and on Ask, with a clear 429."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.config import Settings
from revintel.errors import RateLimited
from revintel.http.ratelimit import SlidingWindow, is_ask
from revintel.runtime import Runtime


@pytest.fixture
def limited(home):
    rt = Runtime(Settings(home=home, rate_limit_per_minute=3, ask_rate_limit_per_minute=2))
    yield rt
    rt.close()


def _client(rt: Runtime, persona: str) -> TestClient:
    from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    app = create_app(rt.settings)

    @app.post("/api/ask/echo")  # stands in for the Ask endpoint: same path prefix, same guard
    def echo() -> dict:
        return {"ok": True}

    c = TestClient(app)
    c.cookies.set(SESSION_COOKIE, session_cookie_value(rt.settings, {"persona": persona}))
    c.cookies.set(CSRF_COOKIE, "n")
    c.headers[CSRF_HEADER] = csrf_token_for(rt.settings, "n")
    return c


def test_api_calls_over_the_limit_get_429_with_retry_after(limited):
    c = _client(limited, "ceo")
    assert [c.get("/api/me").status_code for _ in range(3)] == [200, 200, 200]
    r = c.get("/api/me")
    assert r.status_code == 429
    body = r.json()
    assert body["error"] == "rate_limited" and "3 requests per minute" in body["message"]
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_limits_are_per_user(limited):
    app_calls = _client(limited, "ceo")
    for _ in range(3):
        app_calls.get("/api/me")
    assert app_calls.get("/api/me").status_code == 429
    other = TestClient(app_calls.app)
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    other.cookies.set(SESSION_COOKIE, session_cookie_value(limited.settings, {"persona": "cfo"}))
    assert other.get("/api/me").status_code == 200


def test_ask_has_its_own_tighter_limit(limited):
    c = _client(limited, "ceo")
    assert c.post("/api/ask/echo").status_code == 200
    assert c.post("/api/ask/echo").status_code == 200
    r = c.post("/api/ask/echo")
    assert r.status_code == 429 and "2 questions per minute" in r.json()["message"]


def test_health_is_not_rate_limited(limited):
    c = TestClient(create_app(limited.settings))
    assert all(c.get("/api/health").status_code == 200 for _ in range(5))


def test_window_slides():
    now = [0.0]
    w = SlidingWindow(window=60, clock=lambda: now[0])
    w.hit("api", "u", 2)
    now[0] = 30
    w.hit("api", "u", 2)
    with pytest.raises(RateLimited) as exc:
        w.hit("api", "u", 2)
    assert exc.value.details["retry_after"] == 30
    now[0] = 60.5  # the first hit left the window
    w.hit("api", "u", 2)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/api/ask", True),
        ("POST", "/api/ask/conversations/1", True),
        ("POST", "/ask", True),
        ("GET", "/api/ask/conversations", False),
        ("POST", "/api/query", False),
    ],
)
def test_which_requests_count_as_questions(method, path, expected):
    assert is_ask(method, path) is expected


def test_pages_are_rate_limited_like_the_api(limited):
    c = _client(limited, "ceo")
    assert [c.get("/ask").status_code for _ in range(3)] == [200, 200, 200]
    r = c.get("/ask")
    assert r.status_code == 429 and "Traceback" not in r.text
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert c.get("/api/me").status_code == 200  # the API keeps its own bucket
