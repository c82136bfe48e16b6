"""Security headers on every response (pure ASGI middleware, so streaming responses stay streaming)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: scripts only from this server's files (no inline script, no event-handler attribute, no other
#: origin): an injected ``<script>`` or ``onerror=`` does not run. Styles may be inline (Plotly sets
#: them); images may be data/blob URLs (chart downloads). Nothing may frame the pages.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # no clickjacking of the sign-in or admin forms
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
)
#: sent only on HTTPS (behind a proxy that says so): browsers then refuse plain HTTP for a year
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Adds :data:`HEADERS` (unless a route set them), :data:`HSTS` over HTTPS, and ``no-store`` on
    signed-in pages and API data."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if https and HSTS[0] not in present:
                    headers.append(HSTS)
                if not static and b"cache-control" not in present:
                    # scoped numbers stay out of shared caches
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
