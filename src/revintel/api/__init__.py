"""The FastAPI application factory. Routers are thin: route -> service -> domain."""

from __future__ import annotations

from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from revintel import __version__
from revintel.config import Settings, load_settings
from revintel.errors import RevintelError
from revintel.runtime import Runtime


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (read from the environment when omitted)."""
    settings = settings or load_settings()
    settings.check_safe()
    rt = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        rt.close()

    app = FastAPI(
        title="revintel",
        version=__version__,
        description="Revenue command center API: governed metrics, KPIs, answers, deals, forecasts, briefs.",
        lifespan=lifespan,
    )
    app.state.runtime = rt

    @app.exception_handler(RevintelError)
    async def _revintel_error(request: Request, exc: RevintelError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    from revintel.api import health

    for module in (health,):
        app.include_router(module.router)
    return app
