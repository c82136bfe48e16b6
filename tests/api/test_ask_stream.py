"""``POST /api/ask/stream`` (FastAPI's SSE response): every failure ends with an ``error`` event,
and a client that leaves stops the work."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from revintel.ask.engine import AskEngine
from revintel.http.auth import SESSION_COOKIE, session_cookie_value


def _events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_an_unexpected_failure_ends_with_an_error_event_without_internals(
    demo_rt, client_as, monkeypatch, caplog
):
    def broken(self, question, scope, **kw):
        kw["on_step"]("understood", {"question": question})
        raise RuntimeError("secret internals at /srv/revintel/engine.py")

    monkeypatch.setattr(AskEngine, "ask", broken)
    r = client_as("ceo").post("/api/ask/stream", json={"question": "Net fees this year"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    assert [name for name, _ in events] == ["understood", "error"]
    error = events[-1][1]
    assert error["status"] == 500 and error["request_id"] == r.headers["x-request-id"]
    assert "RuntimeError" not in r.text and "/srv/" not in r.text and "Traceback" not in r.text
    assert any(rec.exc_info and "secret internals" in str(rec.exc_info[1]) for rec in caplog.records)


@pytest.mark.slow
def test_a_client_that_disconnects_stops_the_engine(demo_rt, monkeypatch):
    from browser.live import LiveServer

    steps: list[int] = []
    finished = threading.Event()

    def slow(self, question, scope, **kw):
        try:
            for i in range(100):
                kw["on_step"]("progress", {"i": i})
                steps.append(i)
                time.sleep(0.1)
        finally:
            finished.set()

    monkeypatch.setattr(AskEngine, "ask", slow)
    with LiveServer(demo_rt.settings) as srv:
        from revintel.http.accounts import CSRF_COOKIE, CSRF_HEADER, csrf_token_for

        cookies = {
            SESSION_COOKIE: session_cookie_value(demo_rt.settings, {"persona": "ceo"}),
            CSRF_COOKIE: "test-nonce",
        }
        headers = {CSRF_HEADER: csrf_token_for(demo_rt.settings, "test-nonce")}
        with httpx.Client(base_url=srv.url, cookies=cookies, headers=headers, timeout=10) as c:
            with c.stream("POST", "/api/ask/stream", json={"question": "anything"}) as r:
                assert r.status_code == 200
                for line in r.iter_lines():
                    if line.startswith("data:"):
                        break  # read the first step, then hang up
        assert finished.wait(10), "the engine kept running after the client left"
    assert len(steps) < 50
