"""Spark (local mode or a cluster): canonical tables as versioned Parquet folders, swapped atomically."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revintel.errors import ConfigError
from revintel.warehouse.schema import TABLES_BY_NAME

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

from revintel.warehouse.base import Change, Warehouse, conform


# ==================================================================================================
# Spark
# ==================================================================================================
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
                    if ch.mode == "delete":
                        incoming = (
                            incoming.slice(0, 0)
                            if not current
                            else _anti_join(
                                pq.read_table(self.root / ch.table / current, schema=spec.arrow_schema()),
                                incoming,
                                ch.match_key(),
                            )
                        )
                    elif ch.mode != "replace" and current:
                        old = pq.read_table(self.root / ch.table / current, schema=spec.arrow_schema())
                        if ch.mode == "upsert":
                            old = _anti_join(old, incoming, ch.match_key())
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
