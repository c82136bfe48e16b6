"""Ask from Teams: a local server plays the Bot Framework (OpenID keys, token endpoint, connector).
Signed activities from a mapped user get the Ask page's answer in a 1:1 chat; unsigned, wrongly
addressed and unmapped ones are refused; channel messages are not answered in the channel."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from revintel.chat import teams
from revintel.config import Settings

APP_ID = "11111111-2222-3333-4444-555555555555"


class BotFramework:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.replies: list[tuple[str, dict, str]] = []
        self.got = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, obj: object) -> None:
                data = json.dumps(obj).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/openid":
                    self._json({"issuer": teams.ISSUER, "jwks_uri": outer.url + "/keys"})
                else:
                    self._json({"keys": [outer.key.as_dict(private=False)]})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    self._json({"access_token": "bot-token", "expires_in": 3600})
                    return
                outer.replies.append((self.path, json.loads(body), self.headers.get("Authorization", "")))
                outer.got.set()
                self._json({"id": "reply-1"})

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, aud: str = APP_ID, service_url: str | None = None, iss: str = teams.ISSUER) -> str:
        now = int(time.time())
        claims = {
            "iss": iss,
            "aud": aud,
            "exp": now + 600,
            "nbf": now - 5,
            "serviceUrl": service_url or self.url,
        }
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)

    def wait(self) -> tuple[str, dict, str]:
        assert self.got.wait(60), "no reply reached Teams"
        self.got.clear()
        return self.replies[-1]


@pytest.fixture
def bot(demo_rt, tmp_path):
    bf = BotFramework()
    users = tmp_path / "chat-users.yaml"
    users.write_text("teams:\n  aad-emea: emea_lead\n  aad-cfo: cfo\n", encoding="utf-8")
    settings = Settings(
        **{
            **demo_rt.settings.model_dump(),
            "teams_app_id": APP_ID,
            "teams_app_password": "pw",
            "teams_openid_url": bf.url + "/openid",
            "teams_token_url": bf.url + "/token",
            "chat_user_map": users,
            "public_url": "https://revintel.example",
        }
    )
    teams._openid.cache_clear()
    teams._token_cache.clear()
    from revintel.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c, bf
    bf.server.shutdown()


def _activity(bf: BotFramework, user: str, text: str, kind: str = "personal") -> dict:
    return {
        "type": "message",
        "id": "act-1",
        "text": text,
        "serviceUrl": bf.url,
        "channelId": "msteams",
        "from": {"id": "29:x", "aadObjectId": user, "name": "Someone"},
        "recipient": {"id": "28:bot", "name": "revintel"},
        "conversation": {"id": "a:conv-1", "conversationType": kind},
    }


def test_a_mapped_user_gets_the_ask_pages_answer_in_a_personal_chat(bot, client_as):
    client, bf = bot
    q = "Net fees by capability in 2025"
    r = client.post(
        "/integrations/teams/messages",
        json=_activity(bf, "aad-emea", q),
        headers={"Authorization": f"Bearer {bf.token()}"},
    )
    assert r.status_code == 202
    path, reply, auth = bf.wait()
    assert path == "/v3/conversations/a:conv-1/activities/act-1" and auth == "Bearer bot-token"
    page = client_as("emea_lead").post("/api/ask", json={"question": q}).json()
    assert reply["text"] == page["answer"]
    card = reply["attachments"][0]["content"]
    assert any(b["type"] == "Image" and b["url"].startswith("data:image/png;base64,") for b in card["body"])
    assert card["actions"][0]["url"].startswith("https://revintel.example/ask?q=")


@pytest.mark.parametrize("case", ["no-token", "wrong-audience", "wrong-issuer", "other-service"])
def test_requests_the_bot_framework_did_not_sign_for_us_are_refused(bot, case):
    client, bf = bot
    token = {
        "no-token": None,
        "wrong-audience": bf.token(aud="someone-else"),
        "wrong-issuer": bf.token(iss="https://evil.example"),
        "other-service": bf.token(service_url="https://elsewhere.example"),
    }[case]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = client.post("/integrations/teams/messages", json=_activity(bf, "aad-cfo", "fees"), headers=headers)
    assert r.status_code == 401 and not bf.replies


def test_unmapped_users_are_refused_and_channels_get_no_figures(bot):
    client, bf = bot
    client.post(
        "/integrations/teams/messages",
        json=_activity(bf, "aad-nobody", "Net fees in 2025"),
        headers={"Authorization": f"Bearer {bf.token()}"},
    )
    _, reply, _ = bf.wait()
    assert "not linked" in reply["text"] and "attachments" not in reply
    client.post(
        "/integrations/teams/messages",
        json=_activity(bf, "aad-cfo", "Net fees in 2025", "channel"),
        headers={"Authorization": f"Bearer {bf.token()}"},
    )
    _, reply, _ = bf.wait()
    assert reply["text"] == teams.PRIVATE_ONLY
