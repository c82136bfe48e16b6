"""Observability: structured logs with request ids, Prometheus metrics and OpenTelemetry traces.

Low in the stack (nothing here imports the domain): domain code counts through
:mod:`revintel.observability.metrics` and opens spans through :func:`revintel.observability.tracing.span`;
the app factory installs :class:`revintel.observability.middleware.RequestObserver`.
"""

from __future__ import annotations

from revintel.observability.context import bind, current, request_id

__all__ = ["bind", "current", "request_id"]
