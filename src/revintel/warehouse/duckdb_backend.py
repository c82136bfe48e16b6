"""DuckDB, the embedded default: the canonical tables in one database file, a cursor per thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pyarrow as pa

from revintel.errors import WarehouseError
from revintel.warehouse.schema import TABLES, TABLES_BY_NAME

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    from ibis.backends import BaseBackend

from revintel.warehouse.base import Change, Warehouse


def checkpoint(raw: Any, attempts: int = 20) -> bool:
    """Write the WAL into the database file; True when done.

    DuckDB refuses a checkpoint while another connection has a transaction that wrote (a request
    thread's cursor setting itself up, say), so this retries for about a second; when it still cannot,
    the data stays safe in the WAL, and whoever copies the file copies the WAL with it (snapshots do).
    """
    import time

    for i in range(attempts):
        try:
            raw.execute("CHECKPOINT")
            return True
        except Exception as exc:  # duckdb.TransactionException: other write transactions are active
            if "CHECKPOINT" not in str(exc):
                raise
            time.sleep(0.05 * (1 + i % 4))
    return False


class WarehouseBusy(WarehouseError):
    """The warehouse file is held by another process (DuckDB allows one writer process per file)."""

    status = 409


# ==================================================================================================
# DuckDB
# ==================================================================================================
class DuckDBWarehouse(Warehouse):
    """Embedded DuckDB: the canonical tables live in one database file.

    ``apply`` runs every change inside one DuckDB transaction; DuckDB's write-ahead log means a
    process killed mid-way comes back with the previous committed state.
    """

    scheme = "duckdb"
    read_only_capable = True
    dialect = "duckdb"
    META = "_revintel_meta"

    def __init__(self, url: str, home: Path, read_only: bool = False):
        super().__init__(url, home)
        parsed = urlparse(url)
        raw = (parsed.netloc + parsed.path) if parsed.netloc else parsed.path
        if raw in ("", "/:memory:", ":memory:", "/memory"):
            self.path: str = ":memory:"
        else:
            # duckdb:///abs/path -> /abs/path ; duckdb://rel/path -> rel/path
            self.path = raw
        if self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        #: opened read-only (a snapshot, or the CLI beside a running server): no writes, no rollups
        self.read_only = read_only
        self._con: BaseBackend | None = None
        self._spawn: Any = None  # a cursor used only to create the per-thread cursors
        self._spawn_lock = threading.Lock()
        self._local = threading.local()
        self._generation = 0  # bumped by close(): a thread's cursor from an older connection is dropped
        self._readers: list[BaseBackend] = []

    @property
    def con(self) -> BaseBackend:
        """The writer's Ibis backend: use it only under ``_lock`` (see :meth:`writing`)."""
        if self._con is None:
            import ibis

            if self.read_only and not Path(self.path).exists():
                raise WarehouseError(f"no DuckDB warehouse at {Path(self.path).name}")
            try:
                con = ibis.duckdb.connect(self.path, read_only=self.read_only)
            except Exception as exc:  # duckdb.IOException when another process holds the lock
                if "lock" in str(exc).lower():
                    raise WarehouseBusy(
                        "the warehouse is in use by another revintel process (such as `revintel serve`)",
                        hint="read commands answer from the latest snapshot while it runs; to load data, "
                        "stop that process or upload through its Data sources page",
                    ) from exc
                raise WarehouseError(
                    f"cannot open the DuckDB warehouse {Path(self.path).name}: {exc}",
                    hint="check the file is a DuckDB database revintel wrote (REVINTEL_WAREHOUSE)",
                ) from exc
            if not self.read_only:
                con.con.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.META} (key VARCHAR PRIMARY KEY, value VARCHAR)"
                )
            self._con = con
        return self._con

    @property
    def raw(self) -> Any:
        """The writer's ``duckdb.DuckDBPyConnection`` (only under ``_lock``; readers use :meth:`cursor`)."""
        return self.con.con

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """The writer's raw connection, held alone: loads and rollup builds run one at a time.

        Readers are never blocked by a write: they run on their own cursors and see the data as
        committed before the write's transaction (DuckDB's MVCC), then the new data after it.
        """
        if self.read_only:
            raise WarehouseError(
                "this warehouse is open read-only (a snapshot, or beside a running server)",
                hint="load into the live warehouse: stop the server, or upload through its Data sources page",
            )
        with self._lock:
            yield self.raw

    def reader(self) -> BaseBackend:
        """This thread's Ibis backend over its own DuckDB cursor (created on first use, kept per thread).

        Each thread reads through its own cursor, so queries run concurrently and no DuckDB object
        is shared between threads; expressions built on any reader run on the calling thread's.
        """
        mine = getattr(self._local, "reader", None)
        if mine is not None and mine[0] == self._generation and self._con is not None:
            return mine[1]
        import ibis

        con = self.con  # opens the file on first use (outside the spawn lock: it may raise)
        with self._spawn_lock:
            if self._spawn is None:
                with self._lock:
                    self._spawn = con.con.cursor()
            backend = ibis.duckdb.from_connection(self._spawn.cursor())
            self._readers.append(backend)
            generation = self._generation
        self._local.reader = (generation, backend)
        return backend

    def cursor(self) -> Any:
        """This thread's raw ``duckdb.DuckDBPyConnection`` cursor (see :meth:`reader`)."""
        return self.reader().con

    def table(self, name: str) -> ibis.Table:
        spec = TABLES_BY_NAME[name]
        if name not in self.table_names():
            return self._empty_table(name)
        return self.reader().table(spec.name)

    def execute(self, expr: ibis.Expr, **kwargs: Any) -> pd.DataFrame:
        """Execute an Ibis expression on this thread's cursor (concurrently with other threads)."""
        try:
            return self.reader().execute(expr, **kwargs)
        except Exception as exc:
            raise WarehouseError(f"query failed on {self.scheme}: {exc}") from exc

    def to_arrow(self, expr: ibis.Expr) -> pa.Table:
        return self.reader().to_pyarrow(expr)

    def row_counts(self) -> dict[str, int]:
        cur, names = self.cursor(), self.table_names()
        return {
            t.name: int(cur.execute(f'SELECT count(*) FROM "{t.name}"').fetchall()[0][0])
            if t.name in names
            else 0
            for t in TABLES
        }

    def table_names(self) -> set[str]:
        rows = (
            self.cursor()
            .execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
            .fetchall()
        )
        return {r[0] for r in rows} & set(TABLES_BY_NAME)

    def get_meta(self) -> dict[str, str]:
        cur = self.cursor()
        known = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
            [self.META],
        ).fetchall()[0][0]
        return dict(cur.execute(f"SELECT key, value FROM {self.META}").fetchall()) if known else {}

    def apply(self, changes: Iterable[Change], meta: Mapping[str, str] | None = None) -> None:
        with self.writing() as raw:
            existing = self.table_names()
            raw.execute("BEGIN TRANSACTION")
            try:
                for i, ch in enumerate(changes):
                    spec = TABLES_BY_NAME[ch.table]
                    staged = f"_revintel_staged_{i}"
                    raw.register(staged, ch.rows)
                    cols = ", ".join(f'"{c}"' for c in spec.column_names)
                    if ch.mode == "delete" and ch.table not in existing:
                        raw.unregister(staged)
                        continue
                    if ch.mode == "replace" or ch.table not in existing:
                        if ch.table not in existing:
                            raw.execute(self._create_sql(spec.name))
                        else:
                            raw.execute(f'DELETE FROM "{spec.name}"')
                        raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    elif ch.mode == "append":
                        raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    else:  # upsert (or delete) on the match key
                        match = ch.match_key()
                        key = ", ".join(f'"{k}"' for k in match)
                        raw.execute(
                            f'DELETE FROM "{spec.name}" WHERE ({key}) IN (SELECT ({key}) FROM {staged})'
                            if len(match) == 1
                            else f'DELETE FROM "{spec.name}" t WHERE EXISTS (SELECT 1 FROM {staged} s WHERE '
                            + " AND ".join(f't."{k}" IS NOT DISTINCT FROM s."{k}"' for k in match)
                            + ")"
                        )
                        if ch.mode == "upsert":
                            raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    raw.unregister(staged)
                    existing.add(ch.table)
                for k, v in self._stamped(meta).items():
                    raw.execute(f"INSERT OR REPLACE INTO {self.META} VALUES (?, ?)", [k, v])
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            checkpoint(raw)
            stamped = self.get_meta()
            for hook in self.after_apply:
                hook(stamped)

    @staticmethod
    def _create_sql(name: str) -> str:
        spec = TABLES_BY_NAME[name]
        types = {
            "string": "VARCHAR",
            "int64": "BIGINT",
            "float64": "DOUBLE",
            "boolean": "BOOLEAN",
            "date": "DATE",
            "timestamp": "TIMESTAMP",
        }
        cols = ", ".join(
            f'"{c.name}" {types[c.type]}' + ("" if c.nullable else " NOT NULL") for c in spec.columns
        )
        return f'CREATE TABLE "{name}" ({cols})'

    def close(self) -> None:
        with self._spawn_lock, self._lock:
            readers, self._readers = self._readers, []
            self._generation += 1
            for backend in readers:
                with suppress(Exception):  # a cursor another thread is still using closes with the database
                    backend.con.close()
            if self._spawn is not None:
                with suppress(Exception):
                    self._spawn.close()
                self._spawn = None
            if self._con is not None:
                self._con.disconnect()
                self._con = None
