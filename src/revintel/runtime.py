"""The runtime: settings plus the long-lived services built from them (warehouse, app database).

The CLI builds one per command, the app factory one per process. Services are built lazily, so
a command that needs no warehouse never opens one. Scope never lives here: it travels with each
request as a value.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from revintel.appdb.base import AppDB
from revintel.config import Settings, load_settings
from revintel.warehouse.backends import Warehouse, connect

if TYPE_CHECKING:
    from revintel.ask.engine import AskEngine
    from revintel.semantic import Catalogue, SemanticLayer
    from revintel.semantic.kpi import KpiEngine


class Runtime:
    """Settings and the services built from them."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()

    @cached_property
    def warehouse(self) -> Warehouse:
        self.settings.ensure_home()
        return connect(self.settings.warehouse_url, self.settings.home)

    @cached_property
    def appdb(self) -> AppDB:
        self.settings.ensure_home()
        db = AppDB(self.settings.app_db_url)
        db.create_all()
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

    def as_of(self) -> dt.date:
        """The date treated as today: the setting, else the dataset's as-of date, else today."""
        if self.settings.as_of:
            return self.settings.as_of
        meta_as_of = self.warehouse.get_meta().get("as_of")
        if meta_as_of:
            return dt.date.fromisoformat(meta_as_of)
        return dt.date.today()

    #: lazily built services, dropped by :meth:`close` so a closed runtime rebuilds them on next use
    SERVICES = ("ask", "kpis", "semantic", "catalogue", "appdb", "warehouse")

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
