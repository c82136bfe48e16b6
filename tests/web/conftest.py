"""One demo app per test module: the KPI engine's first summary per scope is the slow part."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from revintel.config import Settings


def demo_settings(folder: Path, demo_file: Path, **overrides: object) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_file, folder / "warehouse.duckdb")
    return Settings(home=folder, auth="demo", warehouse=None, app_db=None, personas_file=None,
                    metrics_file=None, as_of=None, **overrides)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_file: Path) -> Iterator[FastAPI]:
    """A demo-mode app over a private copy of the demo warehouse, shared by one module's tests."""
    from revintel.api import create_app

    app = create_app(demo_settings(tmp_path_factory.mktemp("web-home"), demo_warehouse_file))
    yield app
    app.state.runtime.close()


@pytest.fixture
def demo_as(demo_app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``demo_as("emea_lead")`` -> a client of the module's demo app signed in as that persona."""
    from revintel.api.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.api.auth import SESSION_COOKIE, session_cookie_value

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
