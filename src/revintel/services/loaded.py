"""A clear 404 when a service needs data that is not loaded yet (never a server error)."""

from __future__ import annotations

from revintel.errors import NotFound
from revintel.runtime import Runtime


def require_loaded(rt: Runtime, what: str, *tables: str) -> None:
    """Raise NotFound naming ``what`` when any of ``tables`` has no rows in the warehouse.

    Raises:
        NotFound: e.g. "no customer data is loaded yet", with the commands that load it.
    """
    counts = rt.semantic.table_counts()
    if any(not counts.get(t) for t in tables):
        raise NotFound(
            f"no {what} data is loaded yet",
            hint=f"load {', '.join(tables)} (`revintel demo` or `revintel ingest ...`)",
            details={"tables": list(tables)},
        )
