"""`revintel demo seed`: generate the deterministic demo dataset into the warehouse."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, app, console, emit, runtime

demo_app = typer.Typer(
    help="The deterministic demo dataset (a services firm with pipeline, marketing, "
    "subscriptions and planted signals).",
    no_args_is_help=True,
)
app.add_typer(demo_app, name="demo")


@demo_app.command("seed")
def seed(
    seed_: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed and scale give the same rows.")
    ] = 42,
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            help="Size multiplier: 1 = 500 clients, 4,000 opportunities; "
            "large scales stream the fact tables.",
        ),
    ] = 1.0,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also replace loaded (non-demo) data, e.g. after `revintel ingest`."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace every data table with the demo dataset (one atomic write), as of 2025-12-31.

    Refuses to overwrite data loaded with `revintel ingest` unless --force is given.
    """
    from revintel.cli.ingest import prebuild
    from revintel.warehouse.demo import seed_demo

    rt = runtime()
    result = seed_demo(rt.warehouse, seed=seed_, scale=scale, progress=not as_json, force=force)
    prebuild(rt)
    emit({**result.to_dict(), "warehouse": rt.warehouse.url}, as_json, _render)


def _render(info: dict[str, Any]) -> None:
    t = Table(
        "table",
        "rows",
        title=f"Demo dataset (seed {info['seed']}, scale {info['scale']:g}, as of {info['as_of']})",
    )
    for name, rows in info["rows"].items():
        t.add_row(name, f"{rows:,}")
    t.add_row("[bold]total[/]", f"[bold]{info['total_rows']:,}[/]")
    console.print(t)
    console.print(
        f"Wrote {info['total_rows']:,} rows to {info['warehouse']} in {info['seconds']:.1f}s "
        f"({info['rows_per_second']:,} rows/s)."
    )
