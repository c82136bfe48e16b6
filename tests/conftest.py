"""Shared fixtures: isolated homes, small warehouses, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefs.receivers import Mailbox, Receiver, free_port, http_receiver, smtp_mailbox
from revintel.config import Settings
from revintel.runtime import Runtime

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

os.environ.setdefault("OMP_WAIT_POLICY", "passive")
# A forecast on new data first replays 8 quarters to calibrate its ranges (a training run per home);
# tests turn that off unless they test it (tests/forecast/test_calibration.py), or the server's
# precomputation and the Forecast page run that backtest themselves.
os.environ.setdefault("REVINTEL_FORECAST_CALIBRATE", "false")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SHARED_DATA.exists():
        skip = pytest.mark.skip(reason=f"public datasets not found at {SHARED_DATA}")
        for item in items:
            if "external" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty REVINTEL_HOME for one test; no REVINTEL_* variable leaks in from outside."""
    for key in list(os.environ):
        if key.startswith("REVINTEL_"):
            monkeypatch.delenv(key)
    h = tmp_path / "home"
    monkeypatch.setenv("REVINTEL_HOME", str(h))
    monkeypatch.setenv("REVINTEL_FORECAST_CALIBRATE", "false")
    return h


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home)


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    r = Runtime(settings)
    yield r
    r.close()


@pytest.fixture
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture
def client_as(rt: Runtime):
    """``client_as("emea_lead")`` -> a TestClient signed in as that demo persona (``None`` = signed out)."""
    from fastapi.testclient import TestClient

    from revintel.app import create_app
    from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value

    clients: list[TestClient] = []

    def make(persona: str | None = None) -> TestClient:
        c = TestClient(create_app(rt.settings))
        # a browser's CSRF nonce cookie + the matching header, so POSTs pass the CSRF check
        c.cookies.set(CSRF_COOKIE, "test-nonce")
        c.headers[CSRF_HEADER] = csrf_token_for(rt.settings, "test-nonce")
        if persona:
            c.cookies.set(SESSION_COOKIE, session_cookie_value(rt.settings, {"persona": persona}))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


# --- demo data (owned by the demo generator; see docs/demo-data.md) ------------------------------
@pytest.fixture(scope="session")
def demo_warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the default demo dataset (seed 42, scale 1), generated once per session.

    Treat it as read-only: tests that need a warehouse to use or change take ``demo_rt``.
    """
    from revintel.warehouse.backends import connect
    from revintel.warehouse.demo import seed_demo

    folder = tmp_path_factory.mktemp("demo-warehouse")
    path = folder / "warehouse.duckdb"
    wh = connect(f"duckdb:///{path}", folder)
    try:
        seed_demo(wh)
    finally:
        wh.close()
    return path


@pytest.fixture
def demo_rt(settings: Settings, demo_warehouse_file: Path) -> Iterator[Runtime]:
    """A Runtime whose home holds a private copy of the demo warehouse (free to modify).

    It shares ``settings`` (the same home) with ``rt`` and ``client_as``, so
    ``client_as("cfo")`` in a test that also takes ``demo_rt`` serves the demo data.
    """
    import shutil

    settings.ensure_home()
    shutil.copyfile(demo_warehouse_file, settings.home / "warehouse.duckdb")
    r = Runtime(settings)
    yield r
    r.close()


@pytest.fixture(scope="session")
def demo_home_shared(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_file: Path) -> Path:
    """A home holding the demo warehouse, shared by every test that takes it (briefs, exports).

    Models and caches built there (e.g. the win model) are reused across tests. Never load data
    into it; tests that change the warehouse take ``demo_rt``.
    """
    import shutil

    h = tmp_path_factory.mktemp("demo-home-shared")
    shutil.copyfile(demo_warehouse_file, h / "warehouse.duckdb")
    return h


@pytest.fixture(scope="session")
def demo_runtime_shared(demo_home_shared: Path) -> Iterator[Runtime]:
    """One warm Runtime over ``demo_home_shared`` for the whole session (read-only use: briefs, exports).

    Tests may change ``settings`` fields they need (SMTP host, webhooks) but must restore them.
    """
    r = Runtime(Settings(home=demo_home_shared))
    yield r
    r.close()


# --- deals and forecast (owned by deals/forecast; see docs/deals-and-forecast.md) -----------------
@pytest.fixture(scope="session")
def deals_rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A Runtime over the small seeded synthetic pipeline (``revintel.deals.synthetic``), shared by
    the session: 600 deals with weekly history ending 2025-12-31. Treat its data as read-only."""
    from revintel.deals import synthetic

    r = Runtime(Settings(home=tmp_path_factory.mktemp("deals-home")))
    synthetic.load(r.warehouse, synthetic.generate())
    yield r
    r.close()


# --- the web app over demo data (owned by the web command center; see tests/web, tests/browser) -----
@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_file: Path):
    """A demo-mode app over a private copy of the demo warehouse, shared by the whole session.

    The KPI engine's first summary per scope is the slow part, so page and browser tests share one
    app (and its KPI result cache). Tests must not change its warehouse; filter audit events by actor.
    """
    import shutil

    from revintel.app import create_app

    folder = tmp_path_factory.mktemp("web-home")
    shutil.copyfile(demo_warehouse_file, folder / "warehouse.duckdb")
    app = create_app(
        Settings(
            home=folder,
            auth="demo",
            warehouse=None,
            app_db=None,
            personas_file=None,
            metrics_file=None,
            as_of=None,
            rate_limit_per_minute=0,  # every page test shares this app; limits: tests/api/test_ratelimit.py
        )
    )
    yield app
    app.state.runtime.close()


@pytest.fixture
def run_cli(capsys):
    """``run_cli("kpis", "--json")`` -> (exit code, stdout, stderr): the console script, in process, with a
    runtime built afresh from the environment for each call."""
    from revintel.cli import main
    from revintel.cli.app import state

    def run(*args: str) -> tuple[int, str, str]:
        state.runtime = None
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        finally:
            state.runtime = None
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# --- local receivers for delivery tests (SMTP, and HTTP speaking Slack's and Teams' webhooks) ---
@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as rec:
        yield rec


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    with smtp_mailbox() as box:
        yield box


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    return free_port()
