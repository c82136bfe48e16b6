"""Ask from Slack: signed slash commands and events answered through the governed Ask, privately, under
the mapped user's scope; unsigned, stale and unmapped requests refused. A local HTTP server plays Slack."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from revintel.config import Settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class SlackReceiver:
    """Plays Slack's side: receives response_url posts and chat.postMessage calls."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict, str]] = []
        self.got = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.posts.append((self.path, body, self.headers.get("Authorization", "")))
                outer.got.set()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, seconds: float = 60) -> tuple[str, dict, str]:
        assert self.got.wait(seconds), "no reply reached Slack"
        self.got.clear()
        return self.posts[-1]


@pytest.fixture
def slack(demo_rt, tmp_path):
    receiver = SlackReceiver()
    users = tmp_path / "chat-users.yaml"
    users.write_text("slack:\n  U0EMEA: emea_lead\n  U0CFO: cfo\n", encoding="utf-8")
    settings = Settings(
        **{
            **demo_rt.settings.model_dump(),
            "slack_signing_secret": SECRET,
            "chat_user_map": users,
            "slack_bot_token": "xoxb-test",
            "slack_api_url": receiver.url + "/api",
            "public_url": "https://revintel.example",
        }
    )
    from revintel.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c, receiver
    receiver.server.shutdown()


def _signed(body: bytes, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = ts or int(time.time())
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig}


def _command(client, receiver, user: str, text: str):
    body = urlencode(
        {"user_id": user, "text": text, "command": "/revintel", "response_url": receiver.url + "/commands/1"}
    ).encode()
    headers = {**_signed(body), "Content-Type": "application/x-www-form-urlencoded"}
    return client.post("/integrations/slack/command", content=body, headers=headers)


def test_a_mapped_user_gets_the_ask_pages_answer_privately_with_chart_and_evidence(slack, client_as):
    client, receiver = slack
    ack = _command(client, receiver, "U0EMEA", "Net fees by capability in 2025")
    assert ack.status_code == 200 and ack.json()["response_type"] == "ephemeral"
    path, reply, _ = receiver.wait()
    assert path == "/commands/1" and reply["response_type"] == "ephemeral"
    page = client_as("emea_lead").post("/api/ask", json={"question": "Net fees by capability in 2025"}).json()
    assert reply["text"] == page["answer"]  # the same answer as the Ask page, in the EMEA lead's scope
    kinds = [b["type"] for b in reply["blocks"]]
    assert "image" in kinds and "https://revintel.example/ask?q=" in json.dumps(reply)
    image = next(b for b in reply["blocks"] if b["type"] == "image")["image_url"]
    png = client.get(image.replace("https://revintel.example", ""))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_scope_of_the_mapped_user_holds(slack):
    client, receiver = slack
    _command(client, receiver, "U0EMEA", "What were net fees in APAC in 2025?")
    _, reply, _ = receiver.wait()
    assert "APAC" in reply["text"] or "scope" in reply["text"].lower()
    assert "$" not in reply["text"].split("APAC")[0] if "APAC" in reply["text"] else True


def test_unmapped_users_are_refused_in_words(slack):
    client, receiver = slack
    _command(client, receiver, "U0NOBODY", "Net fees in 2025")
    _, reply, _ = receiver.wait()
    assert "not linked" in reply["text"] and "blocks" not in reply


@pytest.mark.parametrize("tamper", ["signature", "stale", "missing"])
def test_unsigned_or_stale_requests_are_refused(slack, tamper):
    client, receiver = slack
    body = urlencode({"user_id": "U0CFO", "text": "fees", "response_url": receiver.url}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if tamper == "signature":
        headers.update(_signed(body, secret="not-the-secret"))
    elif tamper == "stale":
        headers.update(_signed(body, ts=int(time.time()) - 3600))
    r = client.post("/integrations/slack/command", content=body, headers=headers)
    assert r.status_code == 401 and not receiver.posts


def test_events_verify_the_url_and_answer_a_mention_by_direct_message(slack):
    client, receiver = slack
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    r = client.post(
        "/integrations/slack/events",
        content=challenge,
        headers={**_signed(challenge), "Content-Type": "application/json"},
    )
    assert r.json() == {"challenge": "abc123"}
    event = json.dumps(
        {
            "type": "event_callback",
            "event": {
                "type": "app_mention",
                "user": "U0CFO",
                "text": "<@U0BOT> what were net fees in 2025?",
                "channel": "C0PUBLIC",
            },
        }
    ).encode()
    r = client.post(
        "/integrations/slack/events",
        content=event,
        headers={**_signed(event), "Content-Type": "application/json"},
    )
    assert r.status_code == 200
    path, reply, auth = receiver.wait()
    assert path == "/api/chat.postMessage" and auth == "Bearer xoxb-test"
    assert reply["channel"] == "U0CFO"  # a direct message to the asker, not the public channel
    assert "net fees" in reply["text"].lower()
