"""``revintel serve``: the web app and API."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer

from revintel.cli.app import app, console, runtime
from revintel.runtime import Runtime

log = logging.getLogger("revintel.serve")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT or 8000).")] = None,
) -> None:
    """Serve the web app and API; generates the demo dataset on first start when the warehouse is empty."""
    import uvicorn

    from revintel.api import create_app
    from revintel.warehouse.demo import ensure_demo

    rt = runtime()
    rt.settings.check_safe()
    if ensure_demo(rt.warehouse, progress=True):
        console.print("[green]Generated the demo dataset.[/]")
    rt.close()
    h, p = host or rt.settings.host, port or rt.settings.port
    web = create_app(rt.settings)
    threading.Thread(target=warm, args=(web.state.runtime,), name="revintel-warm", daemon=True).start()
    console.print(f"revintel serving on [bold]http://{h}:{p}[/]  (auth: {rt.settings.auth})")
    uvicorn.run(web, host=h, port=p, log_level="info")


def warm(rt: Runtime) -> None:
    """Compile and cache the unrestricted KPI summary in the background, so the first dashboard is fast.

    Only caches are touched; a failure here is logged and changes nothing a user sees.
    """
    from revintel.scope import Scope

    try:
        rt.kpis.summary(Scope.build("ceo", persona="warm-up"))
    except Exception:  # a background thread is a process boundary: log, never crash the server
        log.warning("KPI warm-up failed; the first dashboard view will compute it", exc_info=True)
