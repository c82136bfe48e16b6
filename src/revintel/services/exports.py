"""Exports (PDF/PPTX of a view), authorised per view: the same rules as the page the view comes from.

``dashboard`` and ``brief``/``board`` (the caller's own, or a stored one their scope covers) need
only the ``export`` permission; ``kpi`` needs drill rights and the metric's domain; ``ask`` drill
rights; ``risks`` and ``forecast`` drill rights and the pipeline domain.
"""

from __future__ import annotations

import contextlib
from typing import Any

from revintel.errors import NotFound
from revintel.runtime import Runtime
from revintel.scope import Scope
from revintel.services import authz
from revintel.services import export_jobs as service
from revintel.services.identity import User

#: the metric domains a view needs beyond the headline summary (None: summary-level view)
VIEW_DOMAINS: dict[str, tuple[str, ...] | None] = {
    "dashboard": None,
    "brief": None,
    "board": None,
    "ask": (),
    "kpi": (),
    "risks": ("pipeline",),
    "forecast": ("pipeline",),
}


def check_view(rt: Runtime, user: User, view: str, params: dict[str, Any]) -> None:
    """Refuse an export the caller could not open as a page.

    Raises:
        Forbidden: no ``export`` permission, or the view needs drill rights or a domain they lack.
    """
    authz.require(user, authz.EXPORT)
    needed = VIEW_DOMAINS.get(view)
    if needed is None:
        return
    domains = set(needed)
    if view == "kpi" and params.get("metric"):
        with contextlib.suppress(NotFound):  # the view reports an unknown metric with a suggestion
            domains.add(rt.catalogue.metric(str(params["metric"])[:100]).domain)
    authz.drill(user, *sorted(domains))


def export_now(
    rt: Runtime, user: User, view: str, fmt: str, scope: Scope, params: dict[str, Any]
) -> service.ExportResult:
    """Build and render ``view`` within ``scope`` (the caller's, possibly narrowed); audited."""
    check_view(rt, user, view, params)
    return service.export(rt, view, fmt, scope, actor=user.id, params=params)


def start_job(rt: Runtime, user: User, view: str, fmt: str, scope: Scope, params: dict[str, Any]) -> str:
    """Start an export job for the caller; returns its id (poll it with :func:`job_status`)."""
    check_view(rt, user, view, params)
    return service.start_job(rt, view, fmt, scope, actor=user.id, params=params)


def job_status(rt: Runtime, user: User, job_id: str) -> dict[str, Any]:
    """One of the caller's export jobs (404 for anyone else's)."""
    return service.job_status(rt, job_id[:64], user.id)
