"""Alembic environment: runs on the connection :mod:`revintel.appdb.migrate` hands it."""

from __future__ import annotations

from alembic import context

from revintel.appdb import models  # noqa: F401  (registers every table on Base.metadata)
from revintel.appdb.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
