"""``revintel audit verify|export``: check and hand over the tamper-evident audit trail."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from revintel.appdb import audit
from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.errors import InvalidRequest

audit_app = typer.Typer(help="The tamper-evident audit trail: verify the chain, export it for a review.")
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify_command(as_json: JsonOpt = False) -> None:
    """Recompute the audit chain; name the first altered, deleted or inserted event (exit 1 if any)."""
    result = audit.verify(runtime().appdb)
    emit(result.to_dict(), as_json, _render)
    if not result.ok:
        raise typer.Exit(1)


def _render(r: dict[str, Any]) -> None:
    if r["ok"]:
        console.print(
            Text("audit chain intact: ", style="bold green")
            + Text(f"{r['checked']:,} events, head sequence {r['head_seq']}, ")
            + Text(f"head hash {r['head_hash'][:16]}…")
        )
        if r["legacy"]:
            console.print(f"{r['legacy']:,} older events were written before the chain was introduced")
    else:
        console.print(Text("audit chain broken: ", style="bold red") + Text(r["problem"] or ""))


@audit_app.command("export")
def export_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Only events at or after this date or time (ISO, UTC).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Output format: jsonl (one event per line).")
    ] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export the audit trail (with each event's chain hashes) for a compliance review."""
    if fmt != "jsonl":
        raise InvalidRequest(f"unknown format {fmt!r}", hint="use --format jsonl")
    start = _parse_since(since) if since else None
    stream = out.open("w", encoding="utf-8") if out else sys.stdout
    n = 0
    try:
        for event in audit.export(runtime().appdb, since=start):
            stream.write(json.dumps(event, default=str, sort_keys=True) + "\n")
            n += 1
    finally:
        if out:
            stream.close()
    if out:
        console.print(f"wrote {n:,} events to {out}")


def _parse_since(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(
            f"--since {text!r} is not a date or time", hint="use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
