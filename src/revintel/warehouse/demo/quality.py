"""A handful of data-quality findings about the demo data itself, as an audit run would record them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revintel.warehouse.demo.common import to_table
from revintel.warehouse.demo.pipeline import AS_OF64, Pipeline

Finding = dict[str, object]


def _finding(
    table: str, rule: str, severity: str, column: str, value: object, message: str, row: int | None = None
) -> Finding:
    return {
        "table_name": table,
        "rule": rule,
        "severity": severity,
        "row_number": row,
        "column_name": column,
        "value": value,
        "message": message,
    }


def _near_duplicates(accounts: pa.Table, limit: int = 3) -> list[Finding]:
    """Accounts whose name only differs from another by a II/III suffix."""
    out: list[Finding] = []
    ids = accounts.column("account_id").to_pylist()
    for i, name in enumerate(accounts.column("name").to_pylist()):
        if name.endswith((" II", " III")) and len(out) < limit:
            message = (
                f"account {ids[i]} {name!r} looks like a duplicate of {name.rsplit(' ', 1)[0]!r}; kept both"
            )
            out.append(_finding("accounts", "near_duplicate_name", "warning", "name", name, message, i + 1))
    return out


def _inactive_owner(accounts: pa.Table, reps: pa.Table) -> list[Finding]:
    """The first account owned by a rep who has left."""
    active = dict(zip(reps.column("rep_id").to_pylist(), reps.column("active").to_pylist(), strict=True))
    ids = accounts.column("account_id").to_pylist()
    for i, owner in enumerate(accounts.column("owner_rep_id").to_pylist()):
        if not active.get(owner, True):
            message = f"account {ids[i]} is owned by inactive rep {owner}; reassign it"
            return [_finding("accounts", "inactive_owner", "warning", "owner_rep_id", owner, message, i + 1)]
    return []


def _pipeline_findings(pipe: Pipeline) -> list[Finding]:
    """Three of the repeatedly pushed deals, and how many deals name no competitor."""
    out = []
    for o in np.flatnonzero(pipe.slipping)[:3]:
        pushes = int(np.isfinite(pipe.push_at[o]).sum())
        message = f"opportunity O{o + 1:07d} had its close date pushed {pushes} times"
        out.append(
            _finding(
                "opportunities",
                "close_date_pushed_repeatedly",
                "info",
                "close_date",
                str(pipe.close[o]),
                message,
                int(o) + 1,
            )
        )
    missing = int((pipe.competitor < 0).sum())
    out.append(
        _finding(
            "opportunities",
            "missing_competitor",
            "info",
            "competitor",
            None,
            f"{missing} opportunities have no competitor recorded",
        )
    )
    return out


def findings_table(load_id: str, accounts: pa.Table, reps: pa.Table, pipe: Pipeline) -> pa.Table:
    """Findings that point at real rows: near-duplicate accounts, inactive owners, stalled deals."""
    rows = _near_duplicates(accounts) + _inactive_owner(accounts, reps) + _pipeline_findings(pipe)
    n = len(rows)
    checked = (
        AS_OF64.astype("datetime64[s]")
        + np.timedelta64(6 * 3600, "s")
        + (np.arange(n) * 60).astype("timedelta64[s]")
    )
    columns = ("table_name", "rule", "severity", "row_number", "column_name", "value", "message")
    return to_table(
        "dq_audit_log",
        {
            "finding_id": [f"{load_id}-{i + 1:03d}" for i in range(n)],
            "load_id": [load_id] * n,
            "checked_at": checked,
            "source": ["demo"] * n,
            **{k: [r[k] for r in rows] for k in columns},
        },
    )
