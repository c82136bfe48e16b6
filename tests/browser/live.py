"""Helpers for the browser tests: a live uvicorn server, settings for it, screenshots."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

from revintel.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a background thread."""

    def __init__(self, settings: Settings | None = None, app: object | None = None):
        import uvicorn

        from revintel.app import create_app

        self.app = app if app is not None else create_app(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def server_settings(folder: Path, demo_file: Path | None, **overrides: object) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    if demo_file is not None:
        shutil.copyfile(demo_file, folder / "warehouse.duckdb")
    base = {
        "auth": "demo",
        "warehouse": None,
        "app_db": None,
        "personas_file": None,
        "metrics_file": None,
        "as_of": None,
    }
    return Settings(home=folder, **{**base, **overrides})


def shot(page: object, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
