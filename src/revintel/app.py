"""The FastAPI application factory: the API's and the pages' routers are mounted here.

Layers: ``app`` -> (``api`` | ``web``) -> ``http`` (who is calling, CSRF, limits, dependencies)
-> ``services`` (authorised, audited domain functions) -> domains. ``web`` never imports ``api``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from revintel import __version__
from revintel.config import Settings, load_settings
from revintel.http.auth import guard
from revintel.http.ratelimit import SlidingWindow
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
        from starlette.concurrency import run_in_threadpool

        from revintel.briefs.scheduler import start_in_app

        await run_in_threadpool(_leave_nothing_behind, rt)
        scheduler = start_in_app(rt)  # brief scheduler thread (REVINTEL_SCHEDULER_ENABLED)
        async with mcp_http.running():  # the /mcp transport's task group
            yield
        if scheduler is not None:
            scheduler.stop()
        from revintel.http.snapshots import close_all

        close_all(app)  # runtimes opened by the as-of picker
        # a precompute step still running keeps its connections: they close with the process
        # (closing them under a step mid-query could abort it); one that ends within a second frees them
        if "precompute" not in rt.__dict__ or rt.precompute.stop(timeout=1):
            rt.close()

    app = FastAPI(
        title="revintel",
        version=__version__,
        description="Revenue command center API: governed metrics, KPIs, answers, deals, forecasts, briefs.",
        lifespan=lifespan,
        # every route requires a signed-in user (except /login, /api/health, static), checks CSRF
        # on state-changing requests and applies per-user rate limits: see revintel.http.auth.guard
        dependencies=[Depends(guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served signed-in only, by revintel.web.pages.dashboard
        # readable, stable operation ids for generated clients: the route function's name
        generate_unique_id_function=_operation_id,
    )
    app.state.runtime = rt
    from starlette.routing import Route

    from revintel.mcp import HttpTransport

    # MCP for AI agents (streamable HTTP): its own Bearer-token check, then the SDK's app
    mcp_http = HttpTransport(rt)
    app.router.routes.append(Route("/mcp", endpoint=mcp_http, methods=["GET", "POST", "DELETE"]))
    app.state.rate_limiter = SlidingWindow()
    web_errors.install(app)  # RevintelError -> HTML page for browsers, JSON for /api
    web_assets.install(app)  # /static and Plotly.js from the plotly wheel
    app.add_middleware(SecurityHeaders)  # nosniff, DENY framing, same-origin referrer, no-store
    from revintel.observability import tracing
    from revintel.observability.middleware import RequestObserver

    tracing.configure(endpoint=settings.otlp_endpoint)  # OTLP export when configured (once per process)
    app.add_middleware(RequestObserver)  # request id, access log, latency histogram, trace span

    from revintel.api import admin, chat, health, observe
    from revintel.api import ask as ask_api
    from revintel.api import briefs as briefs_api
    from revintel.api import calls as calls_api
    from revintel.api import customers as customers_api
    from revintel.api import deals as deals_api
    from revintel.api import exports as exports_api
    from revintel.api import forecast as forecast_api
    from revintel.api import guide as guide_api
    from revintel.api import marketing as marketing_api
    from revintel.api import metrics as metrics_api
    from revintel.api import sql as sql_api
    from revintel.web.pages import admin as admin_pages
    from revintel.web.pages import ask as ask_page
    from revintel.web.pages import briefs as briefs_pages
    from revintel.web.pages import calls as calls_pages
    from revintel.web.pages import customers as customers_pages
    from revintel.web.pages import dashboard, kpi, login, snapshots, sso, usage
    from revintel.web.pages import deals as deals_pages
    from revintel.web.pages import marketing as marketing_pages

    for module in (
        observe,
        chat,
        health,
        login,
        sso,
        usage,
        dashboard,
        snapshots,
        kpi,
        admin,
        admin_pages,
        briefs_api,
        exports_api,
        briefs_pages,
        metrics_api,
        guide_api,
        ask_api,
        sql_api,
        ask_page,
        deals_api,
        forecast_api,
        deals_pages,
        marketing_api,
        marketing_pages,
        calls_api,
        calls_pages,
        customers_api,
        customers_pages,
    ):
        app.include_router(module.router)
    _document_responses(app)
    return app


def _document_responses(app: FastAPI) -> None:
    """The OpenAPI document names each route's response model (:mod:`revintel.api.schemas`)."""
    from revintel.api.schemas import document

    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _leave_nothing_behind(rt: Runtime) -> None:
    """At start: export jobs a restart interrupted are marked failed with the reason, and staged
    uploads past ``upload_ttl_minutes`` are deleted. A failure here is logged, never fatal."""
    import logging

    from revintel.services.export_jobs import recover_jobs
    from revintel.web.uploads import sweep

    try:
        recover_jobs(rt)
        sweep(rt)
    except Exception:  # a process boundary: the app still starts (the app DB may need an upgrade)
        logging.getLogger(__name__).exception("start-up clean-up failed")


def _operation_id(route: APIRoute) -> str:
    """``kpi_summary`` rather than FastAPI's default ``kpi_summary_api_kpis_summary_get``.

    The route function's name, prefixed with its area (``/api/calls/search`` -> ``calls_search``,
    ``/api/exports/{job_id}`` ``status`` -> ``exports_status``) unless the name already says it, so every
    id reads on its own in a generated client.
    """
    parts = [p for p in route.path.split("/") if p and not p.startswith("{")]
    area = parts[1] if len(parts) > 1 and parts[0] == "api" else (parts[0] if parts else "")
    area = area.split(".")[0].replace("-", "_")
    stem = area[:-1] if area.endswith("s") else area
    if not area or stem in route.name:
        return route.name
    return f"{area}_{route.name}"
