"""``revintel publish databricks``: governed tables, metric views and a Genie setup in Unity Catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.config import reveal
from revintel.errors import ConfigError

publish_app = typer.Typer(help="Publish governed tables and metric definitions to other platforms.")
app.add_typer(publish_app, name="publish")


@publish_app.command("databricks")
def databricks_command(
    catalog: Annotated[str, typer.Option("--catalog", help="Unity Catalog catalog.")] = "main",
    schema: Annotated[
        str, typer.Option("--schema", help="Schema to create or replace objects in.")
    ] = "revintel",
    volume: Annotated[
        str, typer.Option("--volume", help="Volume that stages the Parquet files.")
    ] = "revintel_staging",
    out: Annotated[
        Path, typer.Option("--out", help="Folder for genie_space.json (the Genie space setup).")
    ] = Path("databricks"),
    as_json: JsonOpt = False,
) -> None:
    """Write every loaded table, one view per metric and a Genie space setup to a Unity Catalog schema
    (SQL Statement Execution API; needs DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_WAREHOUSE_ID)."""
    from revintel.publish.databricks import Target, publish
    from revintel.publish.statements import Workspace

    rt = runtime()
    s = rt.settings
    if not (s.databricks_host and s.databricks_token and s.databricks_warehouse_id):
        raise ConfigError(
            "publishing needs a Databricks workspace",
            hint="set DATABRICKS_HOST, DATABRICKS_TOKEN and DATABRICKS_WAREHOUSE_ID",
        )
    ws = Workspace(s.databricks_host, reveal(s.databricks_token) or "", s.databricks_warehouse_id)
    try:
        report = publish(rt, ws, Target(catalog, schema, volume), out)
    finally:
        ws.close()
    emit(report.to_dict(), as_json, _render)


def _render(r: dict[str, Any]) -> None:
    console.print(
        f"published to [bold]{r['target']}[/]: {len(r['tables'])} tables, {len(r['views'])} metric views "
        f"({r['statements']} statements)"
    )
    for s in r["skipped"]:
        console.print(f"  skipped metric {s['metric']}: {s['reason']}")
    console.print(f"Genie space setup: {r['genie']}")
