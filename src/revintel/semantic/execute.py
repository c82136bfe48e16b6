"""Running compiled expressions: compile once, run the exact SQL shown, cache by data version.

* The data version (:func:`data_version`) changes whenever the warehouse's data does: it hashes
  the dataset meta (which holds the ``data_version`` stamp every ``Warehouse.apply`` writes, so even
  a value-only reload changes it), each table's row count and the latest ingest lineage timestamp.
  On DuckDB it is one catalogue query (about a millisecond); on Spark, the manifest of Parquet versions.
* Results are cached per (SQL, data version): a warm KPI summary is served from memory and can
  never be stale, because any load changes the version.
* On DuckDB the SQL string compiled for the user is the SQL executed (no second compilation).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revintel.errors import WarehouseError
from revintel.observability.metrics import CACHE
from revintel.observability.tracing import span
from revintel.warehouse.backends import DuckDBWarehouse
from revintel.warehouse.schema import TABLES_BY_NAME

if TYPE_CHECKING:
    import ibis
    import pandas as pd

    from revintel.warehouse.backends import Warehouse

_CACHE_SIZE = 1024
#: how Ibis names in-memory tables (used for canonical tables that are not loaded yet)
MEMTABLE = "_memtable_"


_STATE_SQL = (
    "SELECT 'm', key, value FROM {meta} UNION ALL "
    "SELECT 't', table_name, CAST(estimated_size AS VARCHAR) FROM duckdb_tables() WHERE schema_name = 'main'"
)


@dataclass(frozen=True)
class DataState:
    """What the layer needs to know about the data right now, and a version that changes with it."""

    version: str
    meta: dict[str, str]
    counts: dict[str, int]


def _file_token(wh: DuckDBWarehouse) -> tuple[int, ...] | None:
    """Size and modification time of the database file and its write-ahead log, or None (in memory).

    A committed write grows the log, and a checkpoint rewrites the file and empties the log, so the
    token changes with every committed change, whichever connection or process made it. Reading it is
    two ``stat`` calls where the state query is a DuckDB round trip, and pages read the state many
    times per request.
    """
    if wh.path == ":memory:":
        return None
    out: list[int] = []
    for f in (wh.path, wh.path + ".wal"):
        try:
            st = os.stat(f)
            out += [st.st_size, st.st_mtime_ns]
        except OSError:
            out += [-1, -1]
    return tuple(out)


def data_state(wh: Warehouse) -> DataState:
    """Meta, per-table row counts and a short hash that changes whenever the data changes."""
    if isinstance(wh, DuckDBWarehouse):
        token = _file_token(wh)
        kept = getattr(wh, "_state_kept", None)
        if token is not None and kept is not None and kept[0] == token:
            return kept[1]
        state = _duckdb_state(wh)
        if token is not None and _file_token(wh) == token:  # nothing committed while it was read
            wh._state_kept = (token, state)  # type: ignore[attr-defined]
        return state
    meta = wh.get_meta()
    counts = wh.row_counts()
    extra = wh._manifest().get("tables") if hasattr(wh, "_manifest") else None
    return _hashed(meta, counts, extra)


def _hashed(meta: dict[str, str], counts: dict[str, int], extra: Any) -> DataState:
    payload = json.dumps([meta, sorted(counts.items()), extra], sort_keys=True, default=str)
    return DataState(hashlib.sha256(payload.encode()).hexdigest()[:16], meta, counts)


def _duckdb_state(wh: DuckDBWarehouse) -> DataState:
    con = wh.cursor()  # this thread's cursor: never waits for a load or another request
    rows = con.execute(_STATE_SQL.format(meta=wh.META)).fetchall()
    meta = {k: v for kind, k, v in rows if kind == "m"}
    counts = {k: int(v) for kind, k, v in rows if kind == "t" and k in TABLES_BY_NAME}
    lineage = (
        con.execute("SELECT max(loaded_at), count(*) FROM ingest_lineage").fetchall()
        if "ingest_lineage" in counts
        else []
    )
    return _hashed(meta, counts, lineage)


def data_version(wh: Warehouse) -> str:
    """A short hash that changes whenever the warehouse's data changes."""
    if wh.scheme != "duckdb" and hasattr(wh, "_manifest"):  # Spark: the Parquet version manifest
        m = wh._manifest()
        return hashlib.sha256(json.dumps(m, sort_keys=True).encode()).hexdigest()[:16]
    return data_state(wh).version


def _lock(wh: Warehouse) -> threading.RLock:
    return getattr(wh, "_lock", threading.RLock())


class Runner:
    """Compiles and executes expressions for one warehouse, with a result cache."""

    def __init__(self, wh: Warehouse):
        self.wh = wh
        self._results: OrderedDict[tuple[str, str], pd.DataFrame] = OrderedDict()
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def version(self) -> str:
        return data_version(self.wh)

    def compile(self, expr: ibis.Expr) -> str:
        """The SQL the backend runs for ``expr`` (compiled by the connected Ibis backend)."""
        if self.wh.scheme == "duckdb":
            return self.wh.compile(expr)
        with _lock(self.wh):
            return str(self.wh.con.compile(expr))

    def run(
        self, expr: ibis.Expr, version: str | None = None, sql: str | None = None
    ) -> tuple[str, pd.DataFrame]:
        """(SQL, rows) for ``expr``; served from the cache when the data has not changed.

        ``sql`` is the already-compiled SQL of ``expr`` (compiled here when omitted).
        """
        sql = sql or self.compile(expr)
        key = (sql, version or self.version())
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                CACHE.labels("query_results", "hit").inc()
                return sql, self._results[key].copy()
        CACHE.labels("query_results", "miss").inc()
        with span("warehouse.execute", **{"db.system": self.wh.scheme, "db.statement.length": len(sql)}):
            frame = self._execute(expr, sql)
        with self._guard:
            self.misses += 1
            self._results[key] = frame
            while len(self._results) > _CACHE_SIZE:
                self._results.popitem(last=False)
        return sql, frame.copy()

    def rows(
        self, expr: ibis.Expr | None, version: str, sql: str
    ) -> tuple[str, list[str], list[tuple[Any, ...]]]:
        """(SQL, column names, rows as tuples) of compiled ``sql``, cached like :meth:`run`.

        On DuckDB the rows are fetched as Python values, without a DataFrame (building one cost a
        third of reading five KPI cards from their pre-aggregate); elsewhere they come from :meth:`run`.
        """
        if not isinstance(self.wh, DuckDBWarehouse) or MEMTABLE in sql:
            assert expr is not None
            sql, frame = self.run(expr, version, sql)
            return sql, [str(c) for c in frame.columns], list(frame.itertuples(index=False, name=None))
        key = ("rows:" + sql, version)
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                self.hits += 1
                CACHE.labels("query_results", "hit").inc()
                columns, rows = self._results[key]
                return sql, list(columns), list(rows)
        CACHE.labels("query_results", "miss").inc()
        with span("warehouse.execute", **{"db.system": self.wh.scheme, "db.statement.length": len(sql)}):
            try:
                cur = self.wh.cursor().execute(sql)
                got = cur.fetchall()
                columns = [d[0] for d in cur.description]
            except Exception as exc:  # duckdb raises many error classes; report them as one
                raise WarehouseError(f"query failed on duckdb: {exc}", details={"sql": sql}) from exc
        with self._guard:
            self.misses += 1
            self._results[key] = (tuple(columns), tuple(got))  # type: ignore[assignment]
            while len(self._results) > _CACHE_SIZE:
                self._results.popitem(last=False)
        return sql, columns, list(got)

    def _execute(self, expr: ibis.Expr, sql: str) -> pd.DataFrame:
        if not isinstance(self.wh, DuckDBWarehouse) or MEMTABLE in sql:  # stand-ins for unloaded tables
            return self.wh.execute(expr)
        try:  # on this thread's own cursor: requests run concurrently, a load never blocks them
            frame = self.wh.cursor().sql(sql).df()
        except Exception as exc:  # duckdb raises many error classes; report them as one
            raise WarehouseError(f"query failed on duckdb: {exc}", details={"sql": sql}) from exc
        return frame

    def clear(self) -> None:
        with self._guard:
            self._results.clear()


class PlanStore:
    """Compiled DuckDB plans (SQL + result metadata) kept on disk under the home, so a restarted
    process does not pay Ibis compilation again. Keys include a hash of the semantic layer's own
    source and the Ibis version, so a code or catalogue change never reuses an old plan."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    @staticmethod
    @functools.cache
    def code_version() -> str:
        import ibis

        h = hashlib.sha256(ibis.__version__.encode())
        for f in sorted(Path(__file__).parent.glob("*.py")) + sorted(Path(__file__).parent.glob("*.yaml")):
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    def _path(self, key: tuple[Any, ...]) -> Path | None:
        if self.folder is None:
            return None
        digest = hashlib.sha256(json.dumps([self.code_version(), *key], default=str).encode()).hexdigest()
        return self.folder / f"{digest[:32]}.json"

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a torn or unreadable cache file is just a miss
            return None

    def put(self, key: tuple[Any, ...], sql: str, meta: dict[str, Any]) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"sql": sql, "meta": meta}, default=str), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:  # a read-only home only loses the cache
            return
