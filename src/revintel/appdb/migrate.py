"""Schema versions of the app database (Alembic), and the check every process makes on start.

A new database is created from the models and stamped with the newest revision. A database made
by an older release is never altered behind the user's back: :func:`prepare` refuses it with the
command to run, ``revintel db upgrade``, which applies the migrations in
``appdb/migrations/versions``. A database made before migrations existed (tables but no version)
counts as revision ``0001``.

Authoring a migration after changing a model::

    python -m revintel.appdb.migrate revision "what changed"
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from revintel.appdb.base import AppDB, Base
from revintel.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"


def _config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision this release knows."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current(db: AppDB) -> str | None:
    """The database's revision: ``None`` when empty, ``0001`` when made before migrations existed."""
    with db.engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        if rev is None and inspect(conn).get_table_names():
            return BASELINE
        return rev


def status(db: AppDB) -> dict[str, Any]:
    """``{"current", "head", "up_to_date"}`` for ``revintel db status``."""
    cur, new = current(db), head()
    return {"current": cur, "head": new, "up_to_date": cur == new}


def prepare(db: AppDB) -> None:
    """Create a new database at the newest revision, or refuse an older one with the command to run."""
    from revintel.appdb import models  # noqa: F401

    cur = current(db)
    if cur is None:
        Base.metadata.create_all(db.engine)
        with db.engine.begin() as conn:
            command.stamp(_config(conn), "head")
        return
    new = head()
    if cur != new:
        raise ConfigError(
            f"the app database is at schema revision {cur}; this release needs {new}",
            hint="back it up, then run `revintel db upgrade`",
        )


def upgrade(db: AppDB, revision: str = "head") -> dict[str, Any]:
    """Apply every migration up to ``revision``; returns the revisions before and after."""
    before = current(db)
    with db.engine.begin() as conn:
        cfg = _config(conn)
        if before == BASELINE and MigrationContext.configure(conn).get_current_revision() is None:
            command.stamp(cfg, BASELINE)  # made before migrations existed: it is the baseline schema
        if before is None:
            from revintel.appdb import models  # noqa: F401

            Base.metadata.create_all(conn)
            command.stamp(cfg, "head")
        else:
            command.upgrade(cfg, revision)
    return {"from": before, "to": current(db)}


def _revision(message: str) -> None:  # pragma: no cover - a developer tool
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = AppDB(f"sqlite:///{tmp}/scratch.db")
        with db.engine.begin() as conn:
            cfg = _config(conn)
            command.upgrade(cfg, "head")
            command.revision(cfg, message=message, autogenerate=True)
        db.dispose()


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m revintel.appdb.migrate revision "what changed"')
    _revision(sys.argv[2])
