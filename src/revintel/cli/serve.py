"""``revintel serve``: the web app and API.

One process, one DuckDB file, a thread pool: each request thread reads through its own DuckDB
cursor, so requests run concurrently (DuckDB parallelises each query over the cores as well), and
loads are written by one writer at a time. There is no ``--workers`` option on purpose: DuckDB lets
one process open a database file for writing, so a second worker could not load data or build
rollups, and on the 2-core reference machine one process already keeps every route's p95 under the
targets in docs/performance.md (benchmarks/bench_load.py). Scale out with the Spark warehouse, or
run several read-only replicas from snapshots behind a proxy.

The first SIGTERM or SIGINT stops the server: requests in flight get a few seconds to finish, the
background precompute finishes its step, connections close, and the process exits with status 0.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer

from revintel.cli.app import app, console, runtime

log = logging.getLogger("revintel.serve")

#: seconds requests in flight may take to finish once a stop signal arrived
GRACEFUL_SECONDS = 5


class _Stop(Exception):
    """A stop signal arrived outside uvicorn's own handling (before it started, or re-raised after)."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT or 8000).")] = None,
) -> None:
    """Serve the web app and API; generates the demo dataset on first start when the warehouse is empty.

    Stops on the first SIGTERM or SIGINT. While it runs, read commands (`kpis`, `ask`, `deals risk` ...)
    answer from the latest snapshot of the data it serves.
    """
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    web = None
    try:
        web = _prepare(host, port)
        if web is not None:
            _run(*web)
    except _Stop:
        log.info("stopped by a signal")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if web is not None:
        _exit_now(web[0])


def _prepare(host: str | None, port: int | None) -> tuple | None:
    from revintel.app import create_app
    from revintel.warehouse.demo import ensure_demo

    rt = runtime()
    rt.settings.check_safe()
    _ = rt.appdb  # an app database from an older release is refused here, not as a 500 on every sign-in
    if ensure_demo(rt.warehouse, progress=True):
        console.print("[green]Generated the demo dataset.[/]")
    rt.close()
    h, p = host or rt.settings.host, port or rt.settings.port
    web = create_app(rt.settings)
    served = web.state.runtime
    served.precompute.start()  # KPI summary, win model, scores, forecast inputs, backtest
    # the CLI beside this server reads the latest snapshot: keep one of the data served now
    threading.Thread(target=_keep_snapshot, args=(served,), name="revintel-snapshot", daemon=True).start()
    console.print(f"revintel serving on [bold]http://{h}:{p}[/]  (auth: {rt.settings.auth})")
    return web, h, p


def _keep_snapshot(rt: object) -> None:
    try:
        rt.ensure_snapshot()  # type: ignore[attr-defined]
    except Exception:  # a background thread is a process boundary: log, never crash
        log.warning("could not keep a snapshot of the served data", exc_info=True)


def _run(web: object, host: str, port: int) -> None:
    import uvicorn

    from revintel.observability import logs

    settings = web.state.runtime.settings  # type: ignore[attr-defined]
    logs.configure(settings.log_level, settings.log_format)  # JSON lines with request id, user, route
    uvicorn.run(
        web,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )


def _exit_now(web: object) -> None:
    """Leave without running interpreter finalisation over native threads still inside DuckDB or LightGBM.

    The app's shutdown already closed the warehouse unless a precompute step was still running
    (DuckDB's WAL keeps every committed load durable either way); a daemon thread finalised mid-call
    could abort the process instead.
    """
    rt = web.state.runtime  # type: ignore[attr-defined]
    if "precompute" in rt.__dict__:
        rt.precompute.stop(timeout=0)  # no new step starts while the process leaves
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
