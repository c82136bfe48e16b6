"""Local receivers that speak the real protocols: an SMTP server (aiosmtpd) and an HTTP server
recording JSON posts (Slack/Teams webhooks, Slack Web API, an OpenAI-compatible chat endpoint).

Importable from other test packages: ``from briefs.receivers import http_receiver, smtp_mailbox``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1: records every POST; ``fail_first`` answers 500 that many times."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0
    calls: int = 0
    respond: Callable[[str, dict], tuple[int, dict]] | None = None


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec.calls += 1
            payload = json.loads(body or b"{}")
            if rec.calls <= rec.fail_first:
                status, answer = 500, {"error": "temporarily unavailable"}
            elif rec.respond is not None:
                status, answer = rec.respond(self.path, payload)
            else:
                status, answer = 200, {"ok": True}
            if status < 300:
                rec.posts.append({"path": self.path, "json": payload, "headers": dict(self.headers)})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    rcpts: list[list[str]] = field(default_factory=list)


@contextmanager
def smtp_mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            box.rcpts.append(list(envelope.rcpt_tos))
            return "250 Message accepted for delivery"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    ctl.start()
    try:
        yield box
    finally:
        ctl.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
