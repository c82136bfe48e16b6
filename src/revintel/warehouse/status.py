"""What is in the warehouse: tables, row counts, the dataset and the lineage of recent loads."""

from __future__ import annotations

from typing import Any

from revintel.warehouse.backends import Warehouse


def lineage(wh: Warehouse, limit: int = 50) -> list[dict[str, Any]]:
    """The most recent loads, newest first."""
    if "ingest_lineage" not in wh.table_names():
        return []
    t = wh.table("ingest_lineage")
    df = wh.execute(t.order_by([t.loaded_at.desc(), t.file, t.table_name]).limit(limit))
    return [
        {**row, "loaded_at": row["loaded_at"].isoformat() if row["loaded_at"] is not None else None}
        for row in df.to_dict(orient="records")
    ]


def status(wh: Warehouse) -> dict[str, Any]:
    """A JSON-able summary of the warehouse."""
    counts = wh.row_counts()
    meta = wh.get_meta()
    return {
        "warehouse": wh.url,
        "backend": wh.scheme,
        "dataset": meta.get("dataset"),
        "as_of": meta.get("as_of"),
        "tables": [{"name": name, "rows": rows} for name, rows in counts.items()],
        "row_counts": counts,
        "lineage": lineage(wh),
    }
