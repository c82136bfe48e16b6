"""``revintel snapshots list``: the warehouse as it stood after each recent load."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.warehouse.snapshots import list_snapshots

snapshots_app = typer.Typer(
    help="Versioned loads: list snapshots; read one with `revintel --snapshot ID ...`."
)
app.add_typer(snapshots_app, name="snapshots")


@snapshots_app.command("list")
def list_command(as_json: JsonOpt = False) -> None:
    """The kept snapshots, newest first: id, time, dataset and rows per table."""
    rt = runtime()
    emit(
        {"snapshots": list_snapshots(rt.settings.home), "retention": rt.settings.snapshot_retention},
        as_json,
        _render,
    )


def _render(r: dict[str, Any]) -> None:
    if not r["snapshots"]:
        console.print("no snapshots yet: one is kept after every load (REVINTEL_SNAPSHOT_RETENTION)")
        return
    t = Table("id", "created (UTC)", "dataset", "as of", "rows")
    for s in r["snapshots"]:
        t.add_row(
            s["id"],
            s["created"][:19].replace("T", " "),
            s.get("dataset") or "",
            s.get("as_of") or "",
            f"{sum(s['tables'].values()):,}",
        )
    console.print(t)
