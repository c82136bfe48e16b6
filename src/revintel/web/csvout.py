"""CSV downloads with spreadsheet formula injection neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is
read as a formula by Excel, LibreOffice and Google Sheets (some also skip leading spaces first);
such text cells get a leading ``'`` so they are shown as text. Numbers are written as numbers
(a negative variance stays a number).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from revintel import format as fmt_mod

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return ""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):  # a number stays a number, written positionally (never 9.47e-07)
        return np.format_float_positional(value, trim="-") if "e" in repr(value) else value
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    risky = text.startswith(FORMULA_PREFIXES) or text.lstrip(" \u00a0\u3000").startswith(FORMULA_PREFIXES)
    return "'" + text if risky else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (header + rows), every cell neutralised, header included."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise(c) for c in columns])
    for row in rows:
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue()


def records_csv(
    records: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    units: dict[str, str] | None = None,
) -> str:
    """CSV of a list of dicts (columns: the given order, else the first record's keys).

    ``units`` maps a column to its unit; its numbers are rounded to that unit's precision
    (:func:`revintel.format.csv_value`: cents, basis points, tenths of an hour). The unit ``"@unit"``
    takes each record's own ``unit`` field (a list of KPIs with different units).
    """
    cols = list(columns or (records[0].keys() if records else []))
    units = units or {}

    def cell(r: dict[str, Any], c: str) -> Any:
        unit = units.get(c)
        if unit is None:
            return r.get(c)
        return fmt_mod.csv_value(r.get(c), r.get("unit") if unit == "@unit" else unit)

    return to_csv(cols, ([cell(r, c) for c in cols] for r in records))


def filename(*parts: str) -> str:
    """A safe download file name from parts: ``filename("won_revenue", "by region")``."""
    base = "-".join(_SAFE_NAME.sub("_", p).strip("_") for p in parts if p)
    return (base or "export")[:120] + ".csv"
