"""The app database (users, sessions, tokens, audit, conversations, schedules, deliveries).

SQLAlchemy 2 over SQLite by default (a file in the home) or any URL (Postgres). Each concept
keeps its models in its own module and registers them on :class:`Base`; :meth:`AppDB.create_all`
creates what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base for every app-database model."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AppDB:
    """Engine and session factory for one app database URL."""

    def __init__(self, url: str, *, audit_key: str | bytes | None = None):
        self.url = url
        #: the key that seals the audit chain (HMAC-SHA256); the runtime passes the secret key
        self.audit_key: bytes = (
            audit_key.encode() if isinstance(audit_key, str) else (audit_key or b"revintel-audit-chain")
        )
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        # import every model module so its tables are registered
        from revintel.appdb import models  # noqa: F401

        Base.metadata.create_all(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
