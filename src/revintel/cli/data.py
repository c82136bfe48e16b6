"""Warehouse commands: status."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.warehouse.status import status as warehouse_status


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """Show the warehouse URL, every table with its row count, and the lineage of recent loads."""
    emit(warehouse_status(runtime().warehouse), as_json, _render)


def _render(info: dict[str, Any]) -> None:
    console.print(f"[bold]Warehouse[/] {info['warehouse']}  dataset={info['dataset']}  as_of={info['as_of']}")
    t = Table("table", "rows")
    for row in info["tables"]:
        t.add_row(row["name"], f"{row['rows']:,}")
    console.print(t)
    if info["lineage"]:
        lt = Table("loaded_at", "source", "table", "rows", "file", title="Recent loads")
        for r in info["lineage"][:15]:
            lt.add_row(str(r["loaded_at"])[:19], r["source"], r["table_name"], f"{r['rows']:,}", r["file"])
        console.print(lt)
