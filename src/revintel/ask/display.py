"""An answer's table as people read it: every cell formatted by its column's unit.

The answer keeps its machine values (``table.rows``, for charts, CSV and JSON clients); this adds
``table.units`` (the unit of each column) and ``table.display`` (the cells as text: ``$2.35B``,
``30.9%``, ``-0.6 pp``, ``Q1 2017``) so the Ask page never shows ``0.3089`` or ``2,346,847,186.73``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from revintel import format as fmt_mod

#: time-bucket columns and the grain their first-day values stand for
TIME_COLUMNS = {
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "fiscal_quarter": "quarter",
    "fiscal_year": "year",
    "week": "day",
    "day": "day",
    "date": "day",
    "close_date": "day",
}
SHARE_COLUMNS = frozenset(
    {
        "share",
        "share_of_change",
        "share_of_base",
        "variance_pct",
        "p_win",
        "probability",
        "win_probability",
        "pct",
        "change_pct",
    }
)
SAME_UNIT_COLUMNS = frozenset({"current", "base", "actual", "budget", "value", "prior_year", "start", "end"})
DELTA_COLUMNS = frozenset({"change", "delta", "variance", "var_budget", "var_py", "gap"})
MONEY_COLUMNS = frozenset({"amount", "arr", "expected_loss", "pipeline"})


def column_units(
    columns: Sequence[str], definitions: Sequence[dict[str, Any]], unit: str | None
) -> list[str]:
    """The unit of each column: a metric's own, ``points`` or ``delta:<unit>`` for a difference,
    ``grain:<g>`` for a time bucket, else ``number``."""
    by_id = {d.get("id"): d.get("unit") for d in definitions if d.get("id")}
    out = []
    for c in columns:
        base = c.rsplit("_", 1)[0] if c.rsplit("_", 1)[-1] in ("budget", "py", "pp") else None
        if c in by_id:
            out.append(by_id[c] or "number")
        elif base in by_id:
            out.append(by_id[base] or "number")
        elif c in TIME_COLUMNS:
            out.append(f"grain:{TIME_COLUMNS[c]}")
        elif c in SHARE_COLUMNS:
            out.append("percent")
        elif c in DELTA_COLUMNS:
            out.append("points" if fmt_mod.is_rate(unit) else f"delta:{unit or 'number'}")
        elif c in SAME_UNIT_COLUMNS:
            out.append(unit or "number")
        elif c in MONEY_COLUMNS:
            out.append("currency")
        else:
            out.append("number")
    return out


def cell(value: Any, unit: str) -> str:
    """One cell as text by its column's unit (``grain:month``, ``delta:currency``, ``percent`` ...)."""
    if value is None:
        return ""
    if unit.startswith("grain:"):
        text = fmt_mod.bucket(value, unit.split(":", 1)[1])
        return str(value) if text == fmt_mod.DASH else text
    if isinstance(value, str):
        return value
    if unit.startswith("delta:"):
        return fmt_mod.delta(value, unit.split(":", 1)[1])
    if isinstance(value, bool):
        return "yes" if value else "no"
    return fmt_mod.value(value, unit, none="")


def display(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    definitions: Sequence[dict[str, Any]],
    unit: str | None,
) -> tuple[list[str], list[list[str]]]:
    """(units per column, rows as text). A ``unit`` column (a table of mixed KPIs) sets its row's unit."""
    units = column_units(columns, definitions, unit)
    ui = list(columns).index("unit") if "unit" in columns else None
    out = []
    for r in rows:
        own = r[ui] if ui is not None and isinstance(r[ui], str) else None
        row_units = [_own(u, own) for u in units]
        out.append([cell(v, u) for v, u in zip(r, row_units, strict=False)])
    return units, out


def _own(unit: str, own: str | None) -> str:
    if not own:
        return unit
    if unit == "number":
        return own
    return f"delta:{own}" if unit.startswith("delta:") else unit
