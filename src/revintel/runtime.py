"""The runtime: settings plus the long-lived services built from them (warehouse, app database).

The CLI builds one per command, the app factory one per process. Services are built lazily, so
a command that needs no warehouse never opens one. Scope never lives here: it travels with each
request as a value.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from revintel.appdb.base import AppDB
from revintel.config import Settings, load_settings
from revintel.warehouse.backends import Warehouse, connect


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

    def as_of(self) -> dt.date:
        """The date treated as today: the setting, else the dataset's as-of date, else today."""
        if self.settings.as_of:
            return self.settings.as_of
        meta_as_of = self.warehouse.get_meta().get("as_of")
        if meta_as_of:
            return dt.date.fromisoformat(meta_as_of)
        return dt.date.today()

    def close(self) -> None:
        if "warehouse" in self.__dict__:
            self.warehouse.close()
        if "appdb" in self.__dict__:
            self.appdb.dispose()
