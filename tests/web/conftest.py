"""Clients of the session's demo app (``demo_app`` in tests/conftest.py), signed in as a persona."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def demo_as(demo_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``demo_as("emea_lead")`` -> a client of the session's demo app signed in as that persona."""
    from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    settings = demo_app.state.runtime.settings
    clients: list[TestClient] = []

    def make(persona: str) -> TestClient:
        c = TestClient(demo_app, headers={"accept": "text/html"})
        c.cookies.set(CSRF_COOKIE, "n")
        c.headers[CSRF_HEADER] = csrf_token_for(settings, "n")
        c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": persona}))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()
