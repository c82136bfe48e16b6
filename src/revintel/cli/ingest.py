"""`revintel ingest SOURCE PATH`: load an export into the warehouse, atomically."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, app, console, emit, err_console, runtime, state
from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import load, validate


class SourceName(StrEnum):
    canonical = "canonical"
    salesforce = "salesforce"
    hubspot = "hubspot"
    maven = "maven"
    calls = "calls"
    customers = "customers"
    tickets = "tickets"


@app.command()
def ingest(
    source: Annotated[
        SourceName,
        typer.Argument(
            help="Export format: canonical, salesforce, hubspot, maven, calls (Gong JSON, "
            "WebVTT + sidecar, .eml/mbox, conversations.csv), customers (a customer table with --mapping), "
            "or tickets (Zendesk CSV/JSON, Salesforce Case.csv)."
        ),
    ],
    path: Annotated[Path, typer.Argument(help="The export folder (or a single file).")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="YAML stage mapping (source stage: canonical stage) added over the "
            "built-in one. Default: REVINTEL_STAGE_MAPPING_FILE. For customers: the YAML column "
            "mapping, or a built-in one by name (telco).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and map only; write nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate an export and load it into the warehouse in one atomic step.

    A bad file rejects the whole export and leaves the warehouse unchanged; every problem is listed.

    Loading the same export twice leaves the same rows; a demo dataset is replaced.
    """
    rt = runtime()
    if source is SourceName.calls:
        _ingest_calls(path, dry_run, as_json)
        return

    def say(msg: str) -> None:
        err_console.print(f"[dim]{msg}[/]", highlight=False)

    try:
        if source is SourceName.customers:
            plan = _customers_plan(path, mapping)
        elif source is SourceName.tickets:
            from revintel.warehouse.ingest import tickets

            plan = tickets.validate(path)
        else:
            plan = validate(source.value, path, rt.settings, mapping_file=mapping, progress=say)
    except ValidationFailed as exc:
        if not as_json or state.debug:
            raise
        emit(exc.to_dict(), True)  # scripts get the located problems as one JSON object
        raise SystemExit(1) from None  # (typer.Exit is swallowed by standalone_mode=False)
    if dry_run:
        emit({**plan.to_dict(), "dry_run": True}, as_json, _render_plan)
        return
    report = load(plan, rt.warehouse, progress=say)
    prebuild(rt)
    emit(report.to_dict(), as_json, _render_report)


def prebuild(rt: Any) -> None:
    """Build the pre-aggregates of the data just loaded, as a server's precomputation would, so the
    next KPI summary (CLI or server) reads them instead of the base table."""
    from revintel.semantic.rollups import refresh

    refresh(rt.semantic)


def _customers_plan(path: Path, mapping: Path | None) -> Any:
    from revintel.errors import InvalidRequest
    from revintel.warehouse.ingest import customers

    if mapping is None:
        raise InvalidRequest(
            "ingest customers needs --mapping",
            hint="a YAML column mapping, or one of: " + ", ".join(customers.builtin_mappings()),
        )
    return customers.validate(path, str(mapping))


def _ingest_calls(path: Path, dry_run: bool, as_json: bool) -> None:
    from revintel.conversations.ingest import load_calls, validate_calls

    rt = runtime()

    def say(msg: str) -> None:
        err_console.print(f"[dim]{msg}[/]", highlight=False)

    try:
        plan = validate_calls(path, rt.warehouse, progress=say)
    except ValidationFailed as exc:
        if not as_json or state.debug:
            raise
        emit(exc.to_dict(), True)
        raise SystemExit(1) from None
    if dry_run:
        emit({**plan.to_dict(), "dry_run": True}, as_json, _render_calls)
        return
    emit(load_calls(plan, rt.warehouse, progress=say), as_json, _render_calls)


def _render_calls(info: dict[str, Any]) -> None:
    t = Table(
        "table", "rows", title=f"Calls from {info['path']}" + (" (dry run)" if info.get("dry_run") else "")
    )
    for name, rows in info["tables"].items():
        t.add_row(name, f"{rows:,}")
    console.print(t)
    linked = info["linked"]
    console.print(
        f"linked by CRM id {linked['crm']}, by email {linked['email']}, by title {linked['title']}; "
        f"unlinked {linked['none']}"
    )
    for u in info["unlinked"][:20]:
        console.print(f"  unlinked: {u['conversation_id']} ({u['file']}) {u['title'] or ''}")
    _render_findings(info["findings"])


def _render_plan(info: dict[str, Any]) -> None:
    t = Table("table", "rows", title=f"{info['source']} export {info['path']} (dry run: nothing written)")
    for name, rows in info["tables"].items():
        t.add_row(name, f"{rows:,}")
    console.print(t)
    _render_findings(info["findings"])


def _render_report(info: dict[str, Any]) -> None:
    t = Table("table", "rows loaded", "rows now", title=f"Loaded {info['source']} export {info['path']}")
    for name, rows in info["tables"].items():
        t.add_row(name, f"{rows:,}", f"{info['warehouse_row_counts'].get(name, 0):,}")
    console.print(t)
    _render_findings(info["findings"])
    if info["replaced_demo"]:
        console.print(
            "[yellow]The demo dataset was replaced: every demo table was cleared in the same step.[/]"
        )
    console.print(
        f"dataset={info['source']}  as_of={info['as_of']}  load_id={info['load_id']}  "
        f"({info['validate_seconds'] + info['load_seconds']:.1f}s)"
    )


def _render_findings(findings: list[dict[str, Any]]) -> None:
    if not findings:
        return
    t = Table("severity", "table", "rule", "rows", "what was done", title="Data-quality findings")
    for f in findings:
        t.add_row(f["severity"], f["table"], f["rule"], f"{f['count']:,}", f["message"])
    console.print(t)
