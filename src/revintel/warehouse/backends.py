"""Warehouse backends: the interface (:mod:`revintel.warehouse.base`) and the two built-in backends,
DuckDB (:mod:`revintel.warehouse.duckdb_backend`) and Spark (:mod:`revintel.warehouse.spark_backend`),
each in its own module and registered through the ``revintel.backends`` entry points like any plugin.

This module gathers their public names, so ``from revintel.warehouse.backends import connect`` keeps working.
"""

from __future__ import annotations

from revintel.warehouse.base import BUILT_IN, Change, Rows, Warehouse, conform, connect, opened, register
from revintel.warehouse.duckdb_backend import DuckDBWarehouse, WarehouseBusy, checkpoint
from revintel.warehouse.spark_backend import SparkWarehouse

__all__ = [
    "BUILT_IN",
    "Change",
    "DuckDBWarehouse",
    "Rows",
    "SparkWarehouse",
    "Warehouse",
    "WarehouseBusy",
    "checkpoint",
    "conform",
    "connect",
    "opened",
    "register",
]
