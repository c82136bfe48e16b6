"""A real uvicorn server on a free loopback port and Debian's Chromium driven by Playwright.

One server and one browser per test module; each test gets a fresh browser context (cookies).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .live import CHROMIUM, CHROMIUM_ARGS, LiveServer


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_server(demo_app) -> Iterator[LiveServer]:
    """uvicorn serving the session's demo app (tests/conftest.py) on a free loopback port."""
    with LiveServer(app=demo_app) as srv:
        yield srv


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page; the test fails if the Content-Security-Policy blocked anything on it (a script,
    a style, a chart image or a request the page needed)."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    ctx.set_default_timeout(60_000)
    p = ctx.new_page()
    blocked: list[str] = []
    p.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield p
    ctx.close()
    assert not blocked, f"the Content-Security-Policy blocked part of the page: {blocked[:3]}"
