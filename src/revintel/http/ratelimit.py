"""Per-user rate limits: a sliding one-minute window per (bucket, user).

Three buckets are applied by the request guard (``revintel.http.auth.guard``): ``api`` on every
``/api/...`` call and ``pages`` on every signed-in page (both setting ``rate_limit_per_minute``),
and ``ask`` on every question posted to ``/api/ask...`` or ``/ask...`` (setting
``ask_rate_limit_per_minute``). Other code can meter its own bucket with :func:`hit`.

The window lives in the process, which is exact because ``revintel serve`` runs one process (a
thread pool; see :mod:`revintel.cli.serve` for why there is no ``--workers``). Running the app
under another server with N workers would give each worker its own window (N x the limit in
total); put a proxy that limits globally in front of such a deployment.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from revintel.errors import RateLimited

WINDOW_SECONDS = 60.0


class SlidingWindow:
    """Timestamps of recent hits per key; thread-safe."""

    def __init__(self, window: float = WINDOW_SECONDS, clock: object = time.monotonic):
        self.window = window
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, key: str, limit: int) -> None:
        """Count one hit for ``key`` in ``bucket``.

        Raises:
            RateLimited: the key already made ``limit`` hits in the last window; ``details``
                carry ``retry_after`` (seconds, also sent as the Retry-After header).
        """
        if limit <= 0:
            return
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            q = self._hits.setdefault((bucket, key), deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= limit:
                retry = max(1, math.ceil(q[0] + self.window - now))
                what = "questions" if bucket == "ask" else "requests"
                raise RateLimited(
                    f"rate limit reached: {limit} {what} per minute for {key}",
                    hint=f"wait {retry} s and try again",
                    details={"bucket": bucket, "limit": limit, "retry_after": retry},
                )
            q.append(now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


def hit(limiter: SlidingWindow, bucket: str, key: str, limit: int) -> None:
    """Meter one hit on ``limiter`` (module-level convenience for :meth:`SlidingWindow.hit`)."""
    limiter.hit(bucket, key, limit)


def is_ask(method: str, path: str) -> bool:
    """Whether a request asks a question (metered by the ``ask`` bucket)."""
    return method == "POST" and (path.startswith("/api/ask") or path.startswith("/ask"))
