"""``revintel db upgrade|status``: the app database's schema version."""

from __future__ import annotations

from typing import Any

import typer

from revintel.appdb import migrate
from revintel.appdb.base import AppDB
from revintel.cli.app import JsonOpt, app, console, emit, runtime
from revintel.config import mask_url

db_app = typer.Typer(help="The app database (users, audit, schedules...): schema version and migrations.")
app.add_typer(db_app, name="db")


def _appdb() -> AppDB:
    # not runtime().appdb: that one refuses a database that needs the upgrade this command performs
    settings = runtime().settings
    settings.ensure_home()
    return AppDB(settings.app_db_url, audit_key=settings.signing_key)


@db_app.command("upgrade")
def upgrade_command(as_json: JsonOpt = False) -> None:
    """Migrate the app database to this release's schema (a new database is created)."""
    db = _appdb()
    try:
        result = migrate.upgrade(db)
    finally:
        db.dispose()
    result["url"] = mask_url(runtime().settings.app_db_url)
    emit(result, as_json, _render_upgrade)


def _render_upgrade(r: dict[str, Any]) -> None:
    if r["from"] == r["to"]:
        console.print(f"app database already at revision {r['to']}")
    else:
        console.print(f"app database migrated from revision {r['from'] or '(empty)'} to {r['to']}")


@db_app.command("status")
def status_command(as_json: JsonOpt = False) -> None:
    """Show the app database's schema revision and whether it needs `revintel db upgrade`."""
    db = _appdb()
    try:
        result = migrate.status(db)
    finally:
        db.dispose()
    emit(result, as_json, _render_status)


def _render_status(r: dict[str, Any]) -> None:
    state = "up to date" if r["up_to_date"] else "needs `revintel db upgrade`"
    console.print(
        f"app database at revision {r['current'] or '(empty)'}; this release: {r['head']} ({state})"
    )
