"""CSV downloads with spreadsheet formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets; such text cells get a leading ``'`` so they are
shown as text. Numbers are written as numbers (a negative variance stays a number).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (header + rows), every cell neutralised, header included."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise(c) for c in columns])
    for row in rows:
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue()


def records_csv(records: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV of a list of dicts (columns: the given order, else the first record's keys)."""
    cols = list(columns or (records[0].keys() if records else []))
    return to_csv(cols, ([r.get(c) for c in cols] for r in records))


def filename(*parts: str) -> str:
    """A safe download file name from parts: ``filename("won_revenue", "by region")``."""
    base = "-".join(_SAFE_NAME.sub("_", p).strip("_") for p in parts if p)
    return (base or "export")[:120] + ".csv"
