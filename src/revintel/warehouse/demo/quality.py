"""A handful of data-quality findings about the demo data itself, as an audit run would record them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import to_table
from revintel.warehouse.demo.pipeline import AS_OF64, Pipeline


def findings_table(load_id: str, accounts: pa.Table, reps: pa.Table, pipe: Pipeline) -> pa.Table:
    """Findings that point at real rows: near-duplicate accounts, inactive owners, stalled deals."""
    rows: list[dict[str, object]] = []
    names = accounts.column("name").to_pylist()
    ids = accounts.column("account_id").to_pylist()
    for i, name in enumerate(names):
        if name.endswith((" II", " III")) and len(rows) < 3:
            rows.append(
                {
                    "table_name": "accounts",
                    "rule": "near_duplicate_name",
                    "severity": "warning",
                    "row_number": i + 1,
                    "column_name": "name",
                    "value": name,
                    "message": f"account {ids[i]} {name!r} looks like a duplicate of "
                    f"{name.rsplit(' ', 1)[0]!r}; kept both",
                }
            )
    inactive = {
        r
        for r, a in zip(reps.column("rep_id").to_pylist(), reps.column("active").to_pylist(), strict=True)
        if not a
    }
    owners = accounts.column("owner_rep_id").to_pylist()
    for i, owner in enumerate(owners):
        if owner in inactive:
            rows.append(
                {
                    "table_name": "accounts",
                    "rule": "inactive_owner",
                    "severity": "warning",
                    "row_number": i + 1,
                    "column_name": "owner_rep_id",
                    "value": owner,
                    "message": f"account {ids[i]} is owned by inactive rep {owner}; reassign it",
                }
            )
            break
    stalled = np.flatnonzero(pipe.slipping)[:3]
    for o in stalled:
        pushes = int(np.isfinite(pipe.push_at[o]).sum())
        rows.append(
            {
                "table_name": "opportunities",
                "rule": "close_date_pushed_repeatedly",
                "severity": "info",
                "row_number": int(o) + 1,
                "column_name": "close_date",
                "value": str(pipe.close[o]),
                "message": f"opportunity O{o + 1:07d} had its close date pushed {pushes} times",
            }
        )
    rows.append(
        {
            "table_name": "opportunities",
            "rule": "missing_competitor",
            "severity": "info",
            "column_name": "competitor",
            "value": None,
            "message": f"{int((pipe.competitor < 0).sum())} opportunities have no competitor recorded",
        }
    )
    n = len(rows)
    checked = (
        AS_OF64.astype("datetime64[s]")
        + np.timedelta64(6 * 3600, "s")
        + (np.arange(n) * 60).astype("timedelta64[s]")
    )
    cols = {
        k: [r.get(k) for r in rows]
        for k in ("table_name", "rule", "severity", "row_number", "column_name", "value", "message")
    }
    return to_table(
        "dq_audit_log",
        {
            "finding_id": [f"{load_id}-{i + 1:03d}" for i in range(n)],
            "load_id": [load_id] * n,
            "checked_at": checked,
            "source": ["demo"] * n,
            **cols,
        },
    )
