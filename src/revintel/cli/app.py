"""The Typer application object and the helpers every command module shares."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from revintel.cli.tables import CliConsole
from revintel.format import finite
from revintel.runtime import Runtime

app = typer.Typer(
    name="revintel",
    help="revintel: the revenue command center. Governed KPIs, answers, deal intelligence and briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = CliConsole()
err_console = CliConsole(stderr=True)


class State:
    debug: bool = False
    runtime: Runtime | None = None
    snapshot: str | None = None
    #: the command being run (``kpis``, ``deals`` ...), set by the root callback
    command: str | None = None


#: commands that write the warehouse: beside a running server they stop with a clear message
WAREHOUSE_WRITERS = frozenset({"ingest", "demo", "serve"})


state = State()


def iso_date(value: Any) -> dt.datetime:
    """Parse a YYYY-MM-DD option; an impossible date says why (February 2025 has 28 days)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    from revintel.dates import problem

    why = problem(str(value))
    if why:
        raise typer.BadParameter(why)
    return dt.datetime.strptime(str(value).strip(), "%Y-%m-%d")


#: how every date option reads its value
ISO_DATE: dict[str, Any] = {"parser": iso_date, "metavar": "YYYY-MM-DD"}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
PersonaOpt = Annotated[
    str | None, typer.Option("--persona", help="Run with this persona's row scope (see `revintel personas`).")
]
AsOfOpt = Annotated[
    dt.date | None,
    typer.Option("--as-of", **ISO_DATE, help="Treat this date as today (YYYY-MM-DD)."),
]


def runtime() -> Runtime:
    """The command's runtime (built once per process)."""
    if state.runtime is None:
        if state.snapshot:
            state.runtime = Runtime(_snapshot_settings(state.snapshot))
        else:  # beside a running server, a read command answers from the latest snapshot
            state.runtime = Runtime(read_beside_server=state.command not in WAREHOUSE_WRITERS)
            state.runtime.on_beside_server.append(_note_beside_server)
    return state.runtime


def _note_beside_server(info: dict[str, Any]) -> None:
    """Say on stderr (never in ``--json`` output) that a command reads a snapshot beside a server."""
    err_console.print(
        f"note: the warehouse is in use by a running revintel server; answering from snapshot "
        f"{info['id']} (the latest load, {str(info.get('created', ''))[:19].replace('T', ' ')} UTC)",
        soft_wrap=True,
    )


def _snapshot_settings(snapshot_id: str) -> Any:
    """Settings that read snapshot ``snapshot_id`` instead of the live warehouse (same definitions, scope)."""
    from revintel.config import load_settings
    from revintel.warehouse.snapshots import path_of

    live = load_settings()
    return load_settings(warehouse=f"duckdb:///{path_of(live.home, snapshot_id)}", snapshot_retention=0)


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def emit(obj: Any, as_json: bool, render: Callable[[Any], None] | None = None) -> None:
    """Print ``obj`` as one JSON object (``--json``) or through ``render`` for people."""
    if as_json or render is None:
        text = json.dumps(finite(json.loads(json.dumps(obj, default=_default))), indent=2, allow_nan=False)
        typer.echo(text)
    else:
        render(obj)
