"""Schema migrations: the migrations build exactly the models' schema, and an old database is upgraded."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from revintel.appdb import audit, migrate
from revintel.appdb import models as _models  # noqa: F401
from revintel.appdb.base import AppDB, Base
from revintel.cli import main
from revintel.cli.app import state
from revintel.errors import ConfigError
from revintel.runtime import Runtime


def _migrate_to(db: AppDB, revision: str) -> None:
    with db.engine.begin() as conn:
        command.upgrade(migrate._config(conn), revision)


def test_the_migrations_build_exactly_the_models_schema(settings):
    settings.ensure_home()
    db = AppDB(settings.app_db_url)
    _migrate_to(db, "head")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == [], (
        "the models changed without a migration: write one with "
        '`python -m revintel.appdb.migrate revision "what changed"` and review it. Differences: ' + repr(diff)
    )


@pytest.mark.parametrize("versioned", [True, False], ids=["alembic-0001", "before-migrations"])
def test_an_old_database_is_refused_then_upgraded_keeping_its_rows(settings, capsys, versioned):
    settings.ensure_home()
    old = AppDB(settings.app_db_url)
    _migrate_to(old, "0001")
    with old.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, outcome) "
                "VALUES ('2025-06-01 08:00:00', 'elena', 'signin', 'ok')"
            )
        )
        if not versioned:
            c.execute(text("DROP TABLE alembic_version"))
    old.dispose()

    rt = Runtime(settings)
    with pytest.raises(ConfigError) as exc:
        _ = rt.appdb
    assert "revintel db upgrade" in (exc.value.hint or "")
    rt.close()

    state.runtime = Runtime(settings)
    try:
        main(["db", "upgrade", "--json"])
    finally:
        state.runtime = None
    out = json.loads(capsys.readouterr().out)
    assert (out["from"], out["to"]) == ("0001", migrate.head())

    rt = Runtime(settings)
    audit.record(rt.appdb, actor="cfo", action="query", target="fees")
    assert [e["actor"] for e in audit.events(rt.appdb)] == ["cfo", "elena"]
    check = audit.verify(rt.appdb)
    assert check.ok and check.legacy == 1 and check.checked == 1
    rt.close()


def test_a_new_database_starts_at_the_newest_revision(rt):
    _ = rt.appdb
    assert migrate.status(rt.appdb) == {"current": migrate.head(), "head": migrate.head(), "up_to_date": True}
