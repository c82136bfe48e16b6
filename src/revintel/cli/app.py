"""The Typer application object and the helpers every command module shares."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from revintel.runtime import Runtime

app = typer.Typer(
    name="revintel",
    help="revintel: the revenue command center. Governed KPIs, answers, deal intelligence and briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


class State:
    debug: bool = False
    runtime: Runtime | None = None


state = State()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")]
PersonaOpt = Annotated[
    str | None, typer.Option("--persona", help="Run with this persona's row scope (see `revintel personas`).")
]
AsOfOpt = Annotated[
    dt.date | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Treat this date as today (YYYY-MM-DD)."),
]


def runtime() -> Runtime:
    """The command's runtime (built once per process)."""
    if state.runtime is None:
        state.runtime = Runtime()
    return state.runtime


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


def jsonable(obj: Any) -> Any:
    """Replace NaN/inf with None so the output is strict JSON."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    return obj


def emit(obj: Any, as_json: bool, render: Callable[[Any], None] | None = None) -> None:
    """Print ``obj`` as one JSON object (``--json``) or through ``render`` for people."""
    if as_json or render is None:
        text = json.dumps(jsonable(json.loads(json.dumps(obj, default=_default))), indent=2, allow_nan=False)
        typer.echo(text)
    else:
        render(obj)
