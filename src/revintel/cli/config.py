"""``revintel config``: the settings in force."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.config import effective


@app.command("config")
def config_command(as_json: JsonOpt = False) -> None:
    """Show the effective settings (environment variables REVINTEL_*), secrets masked."""
    emit(effective(runtime().settings), as_json, _render)


def _render(values: dict[str, Any]) -> None:
    t = Table("setting", "value")
    for k, v in values.items():
        t.add_row(k, "" if v is None else str(v))
    console.print(t)
