"""Warehouse backends: where the canonical tables live, behind one small interface.

``connect(url)`` picks a backend by URL scheme. DuckDB (embedded, the default) and Spark (local
mode or a cluster) are registered the same way a third-party backend would be: through the
``revintel.backends`` entry-point group or :func:`register`.

Every backend gives:

* ``table(name)`` — an Ibis table expression over a canonical table, for the semantic layer;
* ``execute(expr)`` — run an expression (serialised per warehouse, safe from many threads);
* ``apply(changes)`` — replace, upsert or append several tables **atomically**: either every
  change is visible afterwards, or none is (a crash mid-way leaves the previous data intact);
* ``meta`` — small key/value facts about the dataset (which dataset, its as-of date).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias
from urllib.parse import urlparse

import pyarrow as pa

from revintel.errors import ConfigError, WarehouseError
from revintel.warehouse.schema import TABLES, TABLES_BY_NAME

if TYPE_CHECKING:
    import ibis
    import pandas as pd
    from ibis.backends import BaseBackend

Rows: TypeAlias = pa.Table | pa.RecordBatchReader


@dataclass
class Change:
    """One table change inside an atomic :meth:`Warehouse.apply`.

    ``replace`` swaps the whole table; ``upsert`` replaces rows whose primary key is in ``rows``
    and adds the rest (loading the same rows twice changes nothing); ``append`` adds rows.
    """

    table: str
    rows: Rows
    mode: Literal["replace", "upsert", "append"] = "replace"


def conform(name: str, rows: pa.Table) -> pa.Table:
    """Cast an Arrow table to the canonical schema of ``name`` (adding missing nullable columns)."""
    spec = TABLES_BY_NAME[name]
    cols = []
    for col in spec.columns:
        target = spec.arrow_schema().field(col.name).type
        if col.name in rows.column_names:
            arr = rows.column(col.name)
            cols.append(arr if arr.type == target else arr.cast(target))
        else:
            cols.append(pa.nulls(rows.num_rows, type=target))
    return pa.Table.from_arrays(cols, schema=spec.arrow_schema())


class Warehouse(ABC):
    """The analytical store behind a URL."""

    scheme: ClassVar[str]
    #: the Ibis/sqlglot dialect queries compile to
    dialect: ClassVar[str]

    def __init__(self, url: str, home: Path):
        self.url = url
        self.home = home
        self._lock = threading.RLock()

    # --- reading -------------------------------------------------------------------------------
    @property
    @abstractmethod
    def con(self) -> BaseBackend:
        """The Ibis backend."""

    def table(self, name: str) -> ibis.Table:
        spec = TABLES_BY_NAME[name]
        with self._lock:
            if name not in self.table_names():
                return self._empty_table(name)
            return self.con.table(spec.name)

    def _empty_table(self, name: str) -> ibis.Table:
        import ibis

        return ibis.memtable(TABLES_BY_NAME[name].empty())

    @abstractmethod
    def table_names(self) -> set[str]:
        """Canonical tables that exist."""

    def execute(self, expr: ibis.Expr, **kwargs: Any) -> pd.DataFrame:
        """Execute an Ibis expression and return a DataFrame (thread-safe)."""
        with self._lock:
            try:
                return expr.execute(**kwargs)
            except Exception as exc:
                raise WarehouseError(f"query failed on {self.scheme}: {exc}") from exc

    def to_arrow(self, expr: ibis.Expr) -> pa.Table:
        with self._lock:
            return expr.to_pyarrow()

    def compile(self, expr: ibis.Expr) -> str:
        """The SQL the backend runs for ``expr``."""
        import ibis

        return str(ibis.to_sql(expr, dialect=self.dialect))

    def row_counts(self) -> dict[str, int]:
        names = self.table_names()
        with self._lock:
            return {
                t.name: int(self.con.table(t.name).count().execute()) if t.name in names else 0
                for t in TABLES
            }

    # --- writing -------------------------------------------------------------------------------
    @abstractmethod
    def apply(self, changes: Iterable[Change], meta: Mapping[str, str] | None = None) -> None:
        """Apply every change and meta update atomically.

        Every apply also stamps a new ``data_version`` in the meta, so caches keyed on the
        meta (rollups, results, model scores) can never serve data from before the change.
        """

    @staticmethod
    def _stamped(meta: Mapping[str, str] | None) -> dict[str, str]:
        return {**(meta or {}), "data_version": uuid.uuid4().hex}

    @abstractmethod
    def get_meta(self) -> dict[str, str]:
        """Dataset facts (``dataset``, ``as_of`` ...)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""


_REGISTRY: dict[str, type[Warehouse]] = {}


def register(cls: type[Warehouse]) -> type[Warehouse]:
    """Register a backend class under its URL scheme (usable as a decorator)."""
    _REGISTRY[cls.scheme] = cls
    return cls


def _load_plugins() -> None:
    for ep in entry_points(group="revintel.backends"):
        if ep.name not in _REGISTRY:
            register(ep.load())


def connect(url: str, home: Path) -> Warehouse:
    """Open the warehouse named by ``url``."""
    _load_plugins()
    scheme = url.split("://", 1)[0] if "://" in url else url.split(":", 1)[0]
    cls = _REGISTRY.get(scheme)
    if cls is None:
        raise ConfigError(
            f"unknown warehouse URL scheme {scheme!r} in {url!r}",
            hint="use duckdb:///path/to/file.duckdb or pyspark://local[2]; known: "
            + ", ".join(sorted(_REGISTRY)),
        )
    return cls(url, home)


# ==================================================================================================
# DuckDB
# ==================================================================================================
@register
class DuckDBWarehouse(Warehouse):
    """Embedded DuckDB: the canonical tables live in one database file.

    ``apply`` runs every change inside one DuckDB transaction; DuckDB's write-ahead log means a
    process killed mid-way comes back with the previous committed state.
    """

    scheme = "duckdb"
    dialect = "duckdb"
    META = "_revintel_meta"

    def __init__(self, url: str, home: Path):
        super().__init__(url, home)
        parsed = urlparse(url)
        raw = (parsed.netloc + parsed.path) if parsed.netloc else parsed.path
        if raw in ("", "/:memory:", ":memory:", "/memory"):
            self.path: str = ":memory:"
        else:
            # duckdb:///abs/path -> /abs/path ; duckdb://rel/path -> rel/path
            self.path = raw
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con: BaseBackend | None = None

    @property
    def con(self) -> BaseBackend:
        if self._con is None:
            import ibis

            try:
                self._con = ibis.duckdb.connect(self.path)
            except Exception as exc:  # duckdb.IOException when another process holds the lock
                raise WarehouseError(
                    f"cannot open the DuckDB warehouse {self.path}: {exc}",
                    hint="another revintel process (e.g. `revintel serve`) may be using it; "
                    "stop it, or upload through the admin page",
                ) from exc
            raw = self.raw
            raw.execute(f"CREATE TABLE IF NOT EXISTS {self.META} (key VARCHAR PRIMARY KEY, value VARCHAR)")
        return self._con

    @property
    def raw(self) -> Any:
        """The underlying ``duckdb.DuckDBPyConnection``."""
        return self.con.con

    def table_names(self) -> set[str]:
        with self._lock:
            rows = self.raw.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        return {r[0] for r in rows} & set(TABLES_BY_NAME)

    def get_meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self.raw.execute(f"SELECT key, value FROM {self.META}").fetchall())

    def apply(self, changes: Iterable[Change], meta: Mapping[str, str] | None = None) -> None:
        with self._lock:
            raw = self.raw
            existing = self.table_names()
            raw.execute("BEGIN TRANSACTION")
            try:
                for i, ch in enumerate(changes):
                    spec = TABLES_BY_NAME[ch.table]
                    staged = f"_revintel_staged_{i}"
                    raw.register(staged, ch.rows)
                    cols = ", ".join(f'"{c}"' for c in spec.column_names)
                    if ch.mode == "replace" or ch.table not in existing:
                        if ch.table not in existing:
                            raw.execute(self._create_sql(spec.name))
                        else:
                            raw.execute(f'DELETE FROM "{spec.name}"')
                        raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    elif ch.mode == "append":
                        raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    else:  # upsert on the primary key
                        key = ", ".join(f'"{k}"' for k in spec.primary_key)
                        raw.execute(
                            f'DELETE FROM "{spec.name}" WHERE ({key}) IN (SELECT ({key}) FROM {staged})'
                            if len(spec.primary_key) == 1
                            else f'DELETE FROM "{spec.name}" t WHERE EXISTS (SELECT 1 FROM {staged} s WHERE '
                            + " AND ".join(f't."{k}" IS NOT DISTINCT FROM s."{k}"' for k in spec.primary_key)
                            + ")"
                        )
                        raw.execute(f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {staged}')
                    raw.unregister(staged)
                    existing.add(ch.table)
                for k, v in self._stamped(meta).items():
                    raw.execute(f"INSERT OR REPLACE INTO {self.META} VALUES (?, ?)", [k, v])
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("CHECKPOINT")

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
        if self._con is not None:
            self._con.disconnect()
            self._con = None


# ==================================================================================================
# Spark
# ==================================================================================================
@register
class SparkWarehouse(Warehouse):
    """Apache Spark: each canonical table is a versioned Parquet folder under the home.

    A manifest (``spark/manifest.json``) names the current version of every table; ``apply``
    writes new versions beside the old ones and swaps the manifest with one atomic rename, so a
    crash leaves the previous manifest, and the previous data, in force.

    ``pyspark://local[2]`` starts Spark in local mode; ``pyspark://sc://host:15002`` would use
    Spark Connect.
    """

    scheme = "pyspark"
    dialect = "pyspark"

    def __init__(self, url: str, home: Path):
        super().__init__(url, home)
        self.master = url.split("://", 1)[1] or "local[2]"
        self.root = home / "spark"
        self.root.mkdir(parents=True, exist_ok=True)
        self._con: BaseBackend | None = None
        self._session: Any = None
        self._registered: dict[str, str] = {}

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def _manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {"tables": {}, "meta": {}}
        return json.loads(self.manifest_path.read_text())

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError as exc:
                raise ConfigError(
                    "the Spark warehouse needs pyspark", hint="pip install 'revintel[spark]'"
                ) from exc
            os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
            self._session = (
                SparkSession.builder.master(self.master)
                .appName("revintel")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.ansi.enabled", "false")
                .config("spark.sql.warehouse.dir", str(self.root / "spark-warehouse"))
                .config("spark.driver.memory", "2g")
                .getOrCreate()
            )
            self._session.sparkContext.setLogLevel("ERROR")
        return self._session

    @property
    def con(self) -> BaseBackend:
        if self._con is None:
            import ibis

            self._con = ibis.pyspark.connect(self.session)
        self._sync_views()
        return self._con

    def _sync_views(self) -> None:
        tables = self._manifest()["tables"]
        for name, version in tables.items():
            if self._registered.get(name) != version:
                df = self.session.read.parquet(str(self.root / name / version))
                df.createOrReplaceTempView(name)
                self._registered[name] = version

    def table_names(self) -> set[str]:
        return set(self._manifest()["tables"]) & set(TABLES_BY_NAME)

    def get_meta(self) -> dict[str, str]:
        return dict(self._manifest()["meta"])

    def apply(self, changes: Iterable[Change], meta: Mapping[str, str] | None = None) -> None:
        import pyarrow.parquet as pq

        with self._lock:
            manifest = self._manifest()
            new_versions: dict[str, str] = {}
            try:
                for ch in changes:
                    spec = TABLES_BY_NAME[ch.table]
                    version = new_versions.get(ch.table) or f"v{uuid.uuid4().hex[:12]}"
                    current = new_versions.get(ch.table) or manifest["tables"].get(ch.table)
                    target = self.root / ch.table / version
                    incoming = ch.rows.read_all() if isinstance(ch.rows, pa.RecordBatchReader) else ch.rows
                    incoming = conform(ch.table, incoming)
                    if ch.mode != "replace" and current:
                        old = pq.read_table(self.root / ch.table / current, schema=spec.arrow_schema())
                        if ch.mode == "upsert":
                            old = _anti_join(old, incoming, spec.primary_key)
                        incoming = pa.concat_tables([conform(ch.table, old), incoming])
                    if target.exists():
                        shutil.rmtree(target)
                    target.mkdir(parents=True)
                    pq.write_table(incoming, target / "part-0.parquet")
                    new_versions[ch.table] = version
                manifest["tables"].update(new_versions)
                manifest["meta"].update(self._stamped(meta))
                tmp = self.manifest_path.with_suffix(f".{uuid.uuid4().hex}.tmp")
                tmp.write_text(json.dumps(manifest, indent=1))
                os.replace(tmp, self.manifest_path)  # the atomic moment
            except BaseException:
                for name, version in new_versions.items():
                    shutil.rmtree(self.root / name / version, ignore_errors=True)
                raise
            self._collect_garbage(manifest)

    def _collect_garbage(self, manifest: dict[str, Any]) -> None:
        for name, version in manifest["tables"].items():
            folder = self.root / name
            for old in folder.iterdir():
                if old.name != version and old.name != self._registered.get(name):
                    shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        self._con = None


def _anti_join(old: pa.Table, new: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """Rows of ``old`` whose key is not in ``new``."""
    import duckdb

    con = duckdb.connect()
    con.register("old_rows", old)
    con.register("new_rows", new)
    cond = " AND ".join(f'o."{k}" IS NOT DISTINCT FROM n."{k}"' for k in key)
    out = con.sql(f"SELECT o.* FROM old_rows o ANTI JOIN new_rows n ON {cond}").to_arrow_table()
    con.close()
    return out


@contextmanager
def opened(url: str, home: Path) -> Iterator[Warehouse]:
    wh = connect(url, home)
    try:
        yield wh
    finally:
        wh.close()
