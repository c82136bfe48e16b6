"""Static assets: the app's CSS/JS, and Plotly.js served from the installed ``plotly`` wheel.

No third-party JavaScript is committed to the repository: ``/static/vendor/plotly.min.js`` streams
the copy that ships inside the ``plotly`` Python package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from revintel.errors import NotFound

STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter(include_in_schema=False)
_CACHE = {"Cache-Control": "public, max-age=86400"}


@lru_cache(maxsize=1)
def plotly_js_path() -> Path:
    """Where the installed plotly wheel keeps plotly.min.js."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise NotFound(
            "plotly.min.js is missing from the installed plotly package",
            hint="reinstall plotly: pip install --force-reinstall plotly",
        )
    return path


@router.get("/static/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    """Plotly.js from the plotly wheel."""
    return FileResponse(plotly_js_path(), media_type="text/javascript", headers=_CACHE)


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml", headers=_CACHE)


def install(app: FastAPI) -> None:
    """Add the asset routes and mount /static."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
