"""Jinja2 templates and the ``render`` helper every page uses.

To add a page (any engineer)::

    # src/revintel/web/pages/deals.py
    from fastapi import APIRouter, Request
    from fastapi.responses import HTMLResponse
    from revintel.http.deps import CurrentUser, RuntimeDep
    from revintel.web import GlobalFilters, NavItem, register, render
    from revintel.scope import DRILL

    router = APIRouter(include_in_schema=False)
    register(NavItem("Deals", "/deals", section="Pipeline", permission=DRILL, domain="pipeline"))

    @router.get("/deals", response_class=HTMLResponse)
    def deals(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
        scope = page_scope(request, user.scope)   # filters outside the scope are noted, never widen it
        return render(request, "deals.html", {"title": "Deals", "rows": ...})

    # src/revintel/web/templates/deals.html
    {% extends "base.html" %}
    {% block content %} ... {% endblock %}

then add the module to the router tuple in ``revintel/app.py``. The template gets, besides
its own context: ``user``, ``scope``, ``nav``, ``filters`` (GlobalFilters), ``filter_options``,
``csrf_token`` (put ``{{ csrf_field() }}`` in every POST form; scripts use ``revintel.post``
from app.js, which sends the X-CSRF-Token header), ``demo_mode``, ``qs(**overrides)`` (the
current filters as a query string), ``chart(fig_json, id)`` and ``fmt(value, unit)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import HTMLResponse

from revintel import __version__
from revintel import format as fmt_mod
from revintel.errors import InvalidRequest
from revintel.http import accounts
from revintel.web import nav
from revintel.web.filters import PERIOD_CHOICES, GlobalFilters, filter_options

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def fmt(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """A number for people (:func:`revintel.format.value`): ``fmt(1234567, "currency")`` -> ``$1.23M``.

    Units are the catalogue's; percent units are fractions. ``digits`` sets a percentage's decimals.
    """
    if digits is not None and fmt_mod.is_rate(unit):
        return fmt_mod.percent(value, digits)
    if isinstance(value, dt.date | dt.datetime):
        return fmt_mod.date(value)
    return fmt_mod.value(value, unit)


def fmt_delta(value: Any, unit: str | None = None) -> str:
    """A signed difference: ``-1.2 pp`` for a rate, ``-$1.10M`` for money."""
    return fmt_mod.delta(value, unit)


def fmt_pct(value: Any) -> str:
    """A signed percentage change from a fraction: 0.042 -> ``+4.2%``."""
    return fmt_mod.change(value)


def fmt_var(diff: Any, pct: Any, unit: str | None = None) -> str:
    """A card's one-token variance: points for a rate, % for a flow."""
    return fmt_mod.variance_short(diff, pct, unit)


def _for_people(text: Any) -> str:
    from revintel.web.errors import for_people

    return for_people(None if text is None else str(text))


def chart(fig_json: str | None, element_id: str, height: int = 320) -> Markup:
    """A chart container that app.js fills with Plotly from the embedded figure JSON."""
    if not fig_json:
        return Markup('<div class="empty">No data for this chart.</div>')
    # "<", ">" and "&" only occur inside JSON strings, where their \u escapes mean the same: the
    # figure cannot close the <script> element whatever text its labels hold
    safe = fig_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(
        '<div class="chart" id="{0}" style="height:{1}px" data-loading="1"></div>'
        '<script type="application/json" data-chart-for="{0}">{2}</script>'
    ).format(element_id, int(height), Markup(safe))  # noqa: S704 - escaped above


templates.env.globals.update(
    fmt=fmt,
    fmt_delta=fmt_delta,
    fmt_pct=fmt_pct,
    fmt_var=fmt_var,
    chart=chart,
    version=__version__,
    quarter=fmt_mod.quarter,
    month=fmt_mod.month,
    date=fmt_mod.date,
)
templates.env.filters.update(
    fmt=fmt, fmt_delta=fmt_delta, fmt_pct=fmt_pct, fmt_var=fmt_var, for_people=_for_people
)


def base_context(request: Request) -> dict[str, Any]:
    """What every page template receives (user, nav, filters, CSRF token, mode)."""
    rt = request.app.state.runtime
    settings = rt.settings
    user = getattr(request.state, "user", None)
    token = accounts.csrf_token_for(settings, accounts.csrf_nonce(request))
    try:
        filters = GlobalFilters.from_request(request)
    except InvalidRequest:  # the error page itself must render whatever the query holds
        filters = GlobalFilters()
    ctx: dict[str, Any] = {
        "request": request,
        "user": user,
        "scope": user.scope if user else None,
        "demo_mode": settings.demo_mode,
        "csrf_token": token,
        "csrf_field": lambda: Markup('<input type="hidden" name="csrf_token" value="{}">').format(token),
        "filters": filters,
        "qs": filters.query,
        "period_choices": PERIOD_CHOICES,
        "nav": nav.visible(user.scope, secure=not settings.demo_mode) if user else [],
        "path": request.url.path,
        "filter_options": {},
        "show_filters": True,
    }
    ctx["snapshot"] = getattr(request.state, "snapshot", None)  # set when the request reads a snapshot
    ctx["snapshots"] = []
    if user:
        from revintel.warehouse.snapshots import list_snapshots

        try:
            ctx["snapshots"] = list_snapshots(settings.home)
        except OSError:
            log.warning("snapshot list unavailable", exc_info=True)
        try:
            ctx["filter_options"] = filter_options(rt, user.scope)
        except Exception:  # a warehouse hiccup must not take the page shell (or error page) down
            log.warning("filter options unavailable", exc_info=True)
    return ctx


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` (extending base.html) with the shell's context plus ``context``."""
    ctx = base_context(request)
    ctx.update(context or {})
    ctx["filter_notes"] = list(getattr(request.state, "filter_notes", None) or [])
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    accounts.set_csrf_cookie(response, request)
    return response
