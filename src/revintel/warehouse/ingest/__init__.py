"""Ingest: read an export (canonical, Salesforce, HubSpot, Maven), validate it, load it atomically.

Use :func:`validate` to parse, check and map an export into an :class:`IngestPlan` (nothing is
written), then :func:`load` to write it, its lineage and its data-quality findings in one atomic
warehouse apply. :func:`ingest` does both.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from revintel.warehouse.ingest import canonical, hubspot, maven, salesforce  # noqa: F401 (register)
from revintel.warehouse.ingest.base import (
    IngestPlan,
    IngestReport,
    LoadedFile,
    Progress,
    Source,
    get_source,
    load,
    register_source,
    sources,
    validate,
)

if TYPE_CHECKING:
    from revintel.config import Settings
    from revintel.warehouse.backends import Warehouse

__all__ = [
    "IngestPlan",
    "IngestReport",
    "LoadedFile",
    "Progress",
    "Source",
    "get_source",
    "ingest",
    "load",
    "register_source",
    "sources",
    "validate",
]


def ingest(
    source: str, path: Path | str, settings: Settings, warehouse: Warehouse, mapping_file: Path | None = None
) -> IngestReport:
    """Validate then load an export in one call."""
    return load(validate(source, path, settings, mapping_file=mapping_file), warehouse)
