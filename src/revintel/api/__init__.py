"""The FastAPI application factory. Routers are thin: route -> service -> domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from revintel import __version__
from revintel.api.auth import guard
from revintel.api.ratelimit import SlidingWindow
from revintel.config import Settings, load_settings
from revintel.runtime import Runtime
from revintel.web import assets as web_assets
from revintel.web import errors as web_errors
from revintel.web.security import SecurityHeaders


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (read from the environment when omitted)."""
    settings = settings or load_settings()
    settings.check_safe()
    rt = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from revintel.briefs.scheduler import start_in_app

        scheduler = start_in_app(rt)  # brief scheduler thread (REVINTEL_SCHEDULER_ENABLED)
        yield
        if scheduler is not None:
            scheduler.stop()
        rt.close()

    app = FastAPI(
        title="revintel",
        version=__version__,
        description="Revenue command center API: governed metrics, KPIs, answers, deals, forecasts, briefs.",
        lifespan=lifespan,
        # every route requires a signed-in user (except /login, /api/health, static), checks CSRF
        # on state-changing requests and applies per-user rate limits: see revintel.api.auth.guard
        dependencies=[Depends(guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served signed-in only, by revintel.web.pages.dashboard
    )
    app.state.runtime = rt
    app.state.rate_limiter = SlidingWindow()
    web_errors.install(app)  # RevintelError -> HTML page for browsers, JSON for /api
    web_assets.install(app)  # /static and Plotly.js from the plotly wheel
    app.add_middleware(SecurityHeaders)  # nosniff, DENY framing, same-origin referrer, no-store

    from revintel.api import admin, health
    from revintel.api import ask as ask_api
    from revintel.api import briefs as briefs_api
    from revintel.api import deals as deals_api
    from revintel.api import exports as exports_api
    from revintel.api import forecast as forecast_api
    from revintel.api import metrics as metrics_api
    from revintel.api import sql as sql_api
    from revintel.web.pages import admin as admin_pages
    from revintel.web.pages import ask as ask_page
    from revintel.web.pages import briefs as briefs_pages
    from revintel.web.pages import dashboard, kpi, login
    from revintel.web.pages import deals as deals_pages

    for module in (health, login, dashboard, kpi, admin, admin_pages, briefs_api, exports_api, briefs_pages,
                   metrics_api, ask_api, sql_api, ask_page, deals_api, forecast_api,
                   deals_pages):
        app.include_router(module.router)
    return app
