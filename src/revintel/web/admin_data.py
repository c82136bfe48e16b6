"""What the admin data page shows: tables, row counts, load lineage and data-quality findings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from revintel.runtime import Runtime
from revintel.warehouse.status import status


def dq_findings(rt: Runtime, limit: int = 200) -> list[dict[str, Any]]:
    """The newest data-quality findings (``dq_audit_log``), newest first."""
    wh = rt.warehouse
    if "dq_audit_log" not in wh.table_names():
        return []
    t = wh.table("dq_audit_log")
    df = wh.execute(t.order_by([t.checked_at.desc(), t.finding_id]).limit(limit))
    out = []
    for raw in df.to_dict(orient="records"):
        row = {k: (None if _missing(v) else v) for k, v in raw.items()}
        row["checked_at"] = row["checked_at"].isoformat() if row["checked_at"] is not None else None
        row["row_number"] = int(row["row_number"]) if row["row_number"] is not None else None
        out.append(row)
    return out


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (what a nullable warehouse column comes back as)."""
    return value is None or (not isinstance(value, str | bytes | list | dict) and bool(pd.isna(value)))


def data_overview(rt: Runtime) -> dict[str, Any]:
    """Warehouse status (tables, counts, lineage) plus findings grouped by load."""
    info = status(rt.warehouse)
    info["findings"] = dq_findings(rt)
    loads: dict[str, dict[str, Any]] = {}
    for row in info["lineage"]:
        entry = loads.setdefault(
            row["load_id"],
            {
                "load_id": row["load_id"],
                "source": row["source"],
                "loaded_at": row["loaded_at"],
                "files": [],
                "rows": 0,
                "findings": 0,
            },
        )
        entry["files"].append(row)
        entry["rows"] += int(row["rows"] or 0)
    for f in info["findings"]:
        if f.get("load_id") in loads:
            loads[f["load_id"]]["findings"] += 1
    info["loads"] = list(loads.values())
    return info
