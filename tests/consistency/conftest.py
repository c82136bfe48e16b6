"""One demo app (the session's ``demo_app``: warehouse built once) and one client per persona."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def clients(demo_app) -> Iterator:  # type: ignore[no-untyped-def]
    from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    settings = demo_app.state.runtime.settings
    made: dict[str, TestClient] = {}

    def get(persona: str) -> TestClient:
        if persona not in made:
            c = TestClient(demo_app)
            c.cookies.set(CSRF_COOKIE, "test-nonce")
            c.headers[CSRF_HEADER] = csrf_token_for(settings, "test-nonce")
            c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": persona}))
            made[persona] = c
        return made[persona]

    yield get
    for c in made.values():
        c.close()


@pytest.fixture(scope="module")
def app_rt(demo_app):  # type: ignore[no-untyped-def]
    return demo_app.state.runtime
