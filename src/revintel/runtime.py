"""The runtime: settings plus the long-lived services built from them (warehouse, app database).

The CLI builds one per command, the app factory one per process. Services are built lazily, so
a command that needs no warehouse never opens one. Scope never lives here: it travels with each
request as a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revintel.appdb.base import AppDB
from revintel.config import Settings, load_settings
from revintel.warehouse.backends import DuckDBWarehouse, Warehouse, WarehouseBusy, checkpoint, connect

if TYPE_CHECKING:
    from revintel.ask.engine import AskEngine
    from revintel.conversations.data import CallData
    from revintel.precompute import Precompute
    from revintel.semantic import Catalogue, SemanticLayer
    from revintel.semantic.kpi import KpiEngine


class Runtime:
    """Settings and the services built from them.

    Args:
        settings: read from the environment when omitted.
        read_beside_server: when the DuckDB file is held by another process (a running
            ``revintel serve``), read the latest snapshot instead, read-only; :attr:`beside_server`
            then names it. The CLI's read commands set this; writing ones never do.
    """

    def __init__(self, settings: Settings | None = None, read_beside_server: bool = False):
        self.settings = settings or load_settings()
        self.read_beside_server = read_beside_server
        #: the snapshot read instead of the live warehouse held by a running server, if any
        self.beside_server: dict[str, Any] | None = None
        #: called with that snapshot's sidecar when the runtime falls back to it (the CLI says so)
        self.on_beside_server: list[Callable[[dict[str, Any]], None]] = []

    @cached_property
    def warehouse(self) -> Warehouse:
        from revintel.warehouse import snapshots

        self.settings.ensure_home()
        url = self.settings.warehouse_url
        is_snapshot = url.startswith("duckdb:") and Path(url.split(":", 1)[1]).parent.name == snapshots.FOLDER
        wh = connect(url, self.settings.home, read_only=is_snapshot)  # a snapshot is never written
        if self.read_beside_server and isinstance(wh, DuckDBWarehouse) and wh.path != ":memory:":
            try:
                wh.get_meta()  # opens the file: another process may hold it
            except WarehouseBusy:
                return self._latest_snapshot(wh)
        if isinstance(wh, DuckDBWarehouse) and wh.path != ":memory:" and self.settings.snapshot_retention > 0:
            wh.after_apply.append(self._keep_load)
        return wh

    def _latest_snapshot(self, live: DuckDBWarehouse) -> Warehouse:
        """The newest snapshot, read-only: the data of the latest load, which the server also serves."""
        from revintel.warehouse import snapshots

        kept = snapshots.list_snapshots(self.settings.home)
        if not kept:
            raise WarehouseBusy(
                "the warehouse is in use by another revintel process (such as `revintel serve`) "
                "and no snapshot is kept to read instead",
                hint="set REVINTEL_SNAPSHOT_RETENTION above 0 and restart the server (it keeps one), "
                "or use the web app or API while it runs",
            )
        info = kept[0]
        path = snapshots.path_of(self.settings.home, info["id"])
        self.beside_server = info
        for hook in self.on_beside_server:
            hook(info)
        return connect(f"duckdb:///{path}", self.settings.home, read_only=True)

    def ensure_snapshot(self) -> dict[str, Any] | None:
        """Keep a snapshot of the data as it stands unless the newest one already holds it.

        ``revintel serve`` calls this at start, so the CLI beside it always has the server's
        current data to read (every later load through the server takes its own).
        """
        from revintel.warehouse import snapshots

        wh = self.warehouse
        if not isinstance(wh, DuckDBWarehouse) or wh.path == ":memory:" or wh.read_only:
            return None
        if self.settings.snapshot_retention <= 0:
            return None
        meta = wh.get_meta()
        if not meta.get("data_version"):
            return None
        newest = snapshots.list_snapshots(self.settings.home)[:1]
        if newest and newest[0].get("data_version") == meta["data_version"]:
            return newest[0]
        with wh.writing() as raw:
            checkpoint(raw)  # the file is complete on disk before it is copied (else its WAL is copied too)
            return self._snapshot(meta)

    def _keep_load(self, meta: dict[str, str]) -> None:
        self._snapshot(meta)

    def _snapshot(self, meta: dict[str, str]) -> dict[str, Any] | None:
        """Keep the warehouse as it stands after a load (see :mod:`revintel.warehouse.snapshots`)."""
        from revintel.warehouse import snapshots

        wh = self.warehouse
        assert isinstance(wh, DuckDBWarehouse)
        if Path(wh.path).parent.name == snapshots.FOLDER:
            return None  # never snapshot a snapshot
        return snapshots.take(
            Path(wh.path), self.settings.home, meta, wh.row_counts(), self.settings.snapshot_retention
        )

    @cached_property
    def appdb(self) -> AppDB:
        self.settings.ensure_home()
        db = AppDB(self.settings.app_db_url, audit_key=self.settings.signing_key)
        from revintel.appdb.migrate import prepare

        prepare(db)  # a new database is created; an older schema is refused with `revintel db upgrade`
        return db

    @cached_property
    def catalogue(self) -> Catalogue:
        """The governed metric catalogue (built-in + REVINTEL_METRICS_FILE)."""
        from revintel.semantic import load_catalogue

        return load_catalogue(self.settings)

    @cached_property
    def semantic(self) -> SemanticLayer:
        """The semantic layer: governed metric queries and scoped tables."""
        from revintel.semantic import SemanticLayer

        return SemanticLayer(self.warehouse, self.catalogue, self.settings)

    @cached_property
    def kpis(self) -> KpiEngine:
        """The KPI engine (summary cards and drill-downs) over :attr:`semantic`."""
        from revintel.semantic.kpi import KpiEngine

        return KpiEngine(self.semantic)

    @cached_property
    def ask(self) -> AskEngine:
        """The Ask engine (plain-English questions over :attr:`semantic`)."""
        from revintel.ask.engine import AskEngine

        return AskEngine(self)

    @cached_property
    def precompute(self) -> Precompute:
        """Heavy views (win model, scores, forecast inputs, backtest) computed once per data version."""
        from revintel.precompute import Precompute

        return Precompute(self)

    @cached_property
    def calls(self) -> CallData:
        """Conversation intelligence state: the call search index and in-scope masks."""
        from revintel.conversations.data import CallData

        return CallData(self)

    def as_of(self) -> dt.date:
        """The date treated as today: the setting, else the dataset's as-of date, else today."""
        if self.settings.as_of:
            return self.settings.as_of
        # the meta kept with the data version (two stat calls), not a warehouse query per call
        meta_as_of = self.semantic.state().meta.get("as_of")
        if meta_as_of:
            return dt.date.fromisoformat(meta_as_of)
        return dt.date.today()

    #: lazily built services, dropped by :meth:`close` so a closed runtime rebuilds them on next use
    SERVICES = ("calls", "precompute", "ask", "kpis", "semantic", "catalogue", "appdb", "warehouse")

    def close(self) -> None:
        """Release connections and forget every service built on them.

        A runtime may be used again after ``close`` (an app whose lifespan restarts, as when one
        app object is served twice): services are rebuilt lazily on fresh connections instead of
        holding expressions bound to a closed one.
        """
        if "warehouse" in self.__dict__:
            self.warehouse.close()
        if "appdb" in self.__dict__:
            self.appdb.dispose()
        for name in self.SERVICES:
            self.__dict__.pop(name, None)
