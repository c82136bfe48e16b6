"""After a refusal or a server error the client's keep-alive connection keeps working (issue 13:
a 500 used to reach uvicorn, which closed the connection and reset the client's next request)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revintel.http.auth import SESSION_COOKIE, session_cookie_value


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Any]:
    from browser.live import LiveServer, server_settings

    settings = server_settings(tmp_path / "home", None)
    with LiveServer(settings) as server:
        server.settings = settings
        yield server


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, dict[str, Any]]:
    conn.request("GET", path, headers={"Cookie": cookie, "Connection": "keep-alive"})
    r = conn.getresponse()
    body = r.read()
    return r.status, json.loads(body) if body.startswith(b"{") else {}


def test_one_connection_survives_a_400_a_404_and_a_500(live: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from revintel.api import briefs

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/srv/secret/internal detail")

    monkeypatch.setattr(briefs.svc, "list_schedules", broken)
    cookie = f"{SESSION_COOKIE}={session_cookie_value(live.settings, {'persona': 'cfo'})}"
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    conn.connect()
    sock = conn.sock
    answers = [
        _get(conn, "/api/briefs/99999999999999999999999", cookie),  # 400: names the parameter
        _get(conn, "/api/nothing-here", cookie),  # 404
        _get(conn, "/api/schedules", cookie),  # 500: the service failed
        _get(conn, "/api/me", cookie),  # and the same connection still answers
    ]
    assert [status for status, _ in answers] == [400, 404, 500, 200]
    assert conn.sock is sock, "the server closed the keep-alive connection"
    assert "brief_id" in json.dumps(answers[0][1])
    assert "/srv/" not in json.dumps(answers[2][1]) and "RuntimeError" not in json.dumps(answers[2][1])
    conn.close()
