"""The warehouse interface: where the canonical tables live, behind one small interface.

``connect(url)`` picks a backend by URL scheme. DuckDB (embedded, the default) and Spark (local
mode or a cluster) are registered the same way a third-party backend would be: through the
``revintel.backends`` entry-point group or :func:`register`.

Every backend gives:

* ``table(name)`` — an Ibis table expression over a canonical table, for the semantic layer;
* ``execute(expr)`` — run an expression (safe from many threads: on DuckDB each thread reads
  through its own cursor, so requests run concurrently; on Spark they are serialised);
* ``apply(changes)`` — replace, upsert or append several tables **atomically**: either every
  change is visible afterwards, or none is (a crash mid-way leaves the previous data intact);
* ``meta`` — small key/value facts about the dataset (which dataset, its as-of date).
"""

from __future__ import annotations

import importlib
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

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
    and adds the rest (loading the same rows twice changes nothing); ``append`` adds rows;
    ``delete`` removes the rows whose ``key`` columns match a row of ``rows`` (which need only
    hold those columns). ``key`` (default: the table's primary key) is what ``upsert`` and
    ``delete`` match on: ``delete`` on ``("conversation_id",)`` then ``upsert`` replaces every
    turn of the given conversations, so a call re-loaded with fewer turns keeps none of the old.
    """

    table: str
    rows: Rows
    mode: Literal["replace", "upsert", "append", "delete"] = "replace"
    key: tuple[str, ...] = ()

    def match_key(self) -> tuple[str, ...]:
        """The columns ``upsert`` and ``delete`` match rows on."""
        return self.key or TABLES_BY_NAME[self.table].primary_key


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
    #: the backend can open its store for reading only (``connect(..., read_only=True)``)
    read_only_capable: ClassVar[bool] = False
    #: the Ibis/sqlglot dialect queries compile to
    dialect: ClassVar[str]

    def __init__(self, url: str, home: Path):
        self.url = url
        self.home = home
        self._lock = threading.RLock()
        #: called with the stamped meta after every successful apply (the runtime keeps snapshots here)
        self.after_apply: list[Callable[[dict[str, str]], None]] = []

    # --- reading -------------------------------------------------------------------------------
    @property
    @abstractmethod
    def con(self) -> BaseBackend:
        """The Ibis backend (on DuckDB: the writer's connection; read through :meth:`reader`)."""

    def reader(self) -> BaseBackend:
        """The Ibis backend this thread reads through (the shared one unless the backend has cursors)."""
        return self.con

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


BUILT_IN = {
    "duckdb": "revintel.warehouse.duckdb_backend:DuckDBWarehouse",
    "pyspark": "revintel.warehouse.spark_backend:SparkWarehouse",
}


def _load_plugins() -> None:
    """Register every backend of the ``revintel.backends`` entry-point group, built-in ones included
    (pyproject declares DuckDB and Spark there exactly like a third-party plugin)."""
    found = {ep.name: ep for ep in entry_points(group="revintel.backends")}
    for name, ep in found.items():
        if name not in _REGISTRY:
            register(ep.load())
    for name, target in BUILT_IN.items():  # a source tree used without installing: same classes
        if name not in _REGISTRY:
            module, _, attr = target.partition(":")
            register(getattr(importlib.import_module(module), attr))


def connect(url: str, home: Path, read_only: bool = False) -> Warehouse:
    """Open the warehouse named by ``url`` (``read_only``: a DuckDB file opened for reading only)."""
    _load_plugins()
    scheme = url.split("://", 1)[0] if "://" in url else url.split(":", 1)[0]
    cls = _REGISTRY.get(scheme)
    if cls is None:
        raise ConfigError(
            f"unknown warehouse URL scheme {scheme!r} in {url!r}",
            hint="use duckdb:///path/to/file.duckdb or pyspark://local[2]; known: "
            + ", ".join(sorted(_REGISTRY)),
        )
    if read_only and cls.read_only_capable:
        return cls(url, home, read_only=True)  # type: ignore[call-arg]
    return cls(url, home)


@contextmanager
def opened(url: str, home: Path) -> Iterator[Warehouse]:
    wh = connect(url, home)
    try:
        yield wh
    finally:
        wh.close()
