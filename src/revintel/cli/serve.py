"""``revintel serve``: the web app and API."""

from __future__ import annotations

from typing import Annotated

import typer

from revintel.cli.app import app, console, runtime


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
    console.print(f"revintel serving on [bold]http://{h}:{p}[/]  (auth: {rt.settings.auth})")
    uvicorn.run(create_app(rt.settings), host=h, port=p, log_level="info")
