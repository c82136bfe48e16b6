"""One JSON POST with a time box, shared by the Slack and Teams channels."""

from __future__ import annotations

from typing import Any

import httpx

from revintel.delivery.base import failure
from revintel.errors import ProviderError


def post_json(
    channel: str, url: str, payload: dict[str, Any], timeout: float, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST ``payload``; a network error or non-2xx answer raises :class:`ProviderError`."""
    try:
        resp = httpx.post(url, json=payload, timeout=timeout, headers=headers)
    except httpx.HTTPError as exc:
        raise failure(channel, exc, hint="is the webhook URL reachable from this machine?") from exc
    if resp.status_code >= 300:
        raise ProviderError(
            f"{channel} delivery failed: HTTP {resp.status_code}: {resp.text[:200]}",
            details={"channel": channel, "status": resp.status_code},
        )
    return resp
