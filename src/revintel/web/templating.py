"""Jinja2 templates and the ``render`` helper every page uses.

To add a page (any engineer)::

    # src/revintel/web/pages/deals.py
    from fastapi import APIRouter, Request
    from fastapi.responses import HTMLResponse
    from revintel.api.deps import CurrentUser, RuntimeDep
    from revintel.web import GlobalFilters, NavItem, register, render
    from revintel.scope import DRILL

    router = APIRouter(include_in_schema=False)
    register(NavItem("Deals", "/deals", section="Pipeline", permission=DRILL, domain="pipeline"))

    @router.get("/deals", response_class=HTMLResponse)
    def deals(request: Request, user: CurrentUser, rt: RuntimeDep) -> HTMLResponse:
        scope = GlobalFilters.from_request(request).apply(user.scope)   # 403 outside the scope
        return render(request, "deals.html", {"title": "Deals", "rows": ...})

    # src/revintel/web/templates/deals.html
    {% extends "base.html" %}
    {% block content %} ... {% endblock %}

then add the module to the router tuple in ``revintel/api/__init__.py``. The template gets, besides
its own context: ``user``, ``scope``, ``nav``, ``filters`` (GlobalFilters), ``filter_options``,
``csrf_token`` (put ``{{ csrf_field() }}`` in every POST form; scripts use ``revintel.post``
from app.js, which sends the X-CSRF-Token header), ``demo_mode``, ``qs(**overrides)`` (the
current filters as a query string), ``chart(fig_json, id)`` and ``fmt(value, unit)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import HTMLResponse

from revintel import __version__
from revintel.api import accounts
from revintel.errors import InvalidRequest
from revintel.web import nav
from revintel.web.filters import PERIOD_CHOICES, GlobalFilters, filter_options

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def fmt(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """A number for people: ``fmt(1234567, "currency")`` -> ``$1.23M``; percent units are fractions.

    Units are the catalogue's: currency, currency_per_hour, currency_per_day, hours, days, percent,
    ratio, count.
    """
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    unit = (unit or "").lower()
    if unit in ("percent", "fraction", "pct"):
        return f"{value * 100:.{1 if digits is None else digits}f}%"
    if unit == "ratio":
        return f"{value:,.{2 if digits is None else digits}f}"
    sign, a = ("-" if value < 0 else ""), abs(value)
    if unit in ("currency_per_hour", "currency_per_day"):
        return f"{sign}${a:,.{2 if unit.endswith('hour') else 0}f}"
    body = _compact(a, digits)
    if unit.startswith("currency"):
        return f"{sign}${body}"
    suffix = {"hours": " h", "days": " d"}.get(unit, "")
    return sign + body + suffix


def _compact(a: float, digits: int | None) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div * 0.9995 and a >= 10_000:
            return f"{a / div:.{2 if digits is None else digits}f}{suffix}"
    if a >= 100 or float(a).is_integer():
        return f"{a:,.0f}"
    return f"{a:,.{1 if digits is None else digits}f}"


def fmt_delta(value: Any, unit: str | None = None) -> str:
    """A signed variance: ``+4.2%`` or ``-$1.1M``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if (unit or "").lower() in ("percent", "fraction", "pct"):
        return f"{value * 100:+.1f} pp"
    text = fmt(abs(value), unit)
    return ("+" if value >= 0 else "-") + text


def fmt_pct(value: Any) -> str:
    """A signed percentage change from a fraction: 0.042 -> ``+4.2%``."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    return f"{value * 100:+.1f}%"


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


templates.env.globals.update(fmt=fmt, fmt_delta=fmt_delta, fmt_pct=fmt_pct, chart=chart, version=__version__)
templates.env.filters.update(fmt=fmt, fmt_delta=fmt_delta, fmt_pct=fmt_pct)


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
    if user:
        try:
            ctx["filter_options"] = filter_options(rt, user.scope)
        except Exception:  # a warehouse hiccup must not take the page shell (or error page) down
            log.warning("filter options unavailable", exc_info=True)
    return ctx


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
           ) -> HTMLResponse:
    """Render ``name`` (extending base.html) with the shell's context plus ``context``."""
    ctx = base_context(request)
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    accounts.set_csrf_cookie(response, request)
    return response
