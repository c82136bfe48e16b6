"""Tables as spreadsheet files: CSV text and XLSX bytes, safe to open in Excel or LibreOffice.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` would be read as a formula: in XLSX every text
cell is stored as a string (never a formula); in CSV it gets a leading ``'``
(:func:`revintel.web.csvout.neutralise` does the same for the pages' CSVs). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text with a header; formula-like text cells prefixed with ``'``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        cells = [_cell(v) for v in row]
        w.writerow(
            [
                "" if c is None else "'" + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c
                for c in cells
            ]
        )
    return buf.getvalue()


def to_xlsx(columns: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "Sheet1") -> bytes:
    """An XLSX workbook with one sheet: a bold header, then the rows; text is always text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            v = _cell(value)
            cell = ws.cell(row=i, column=j)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # a string, even when it starts with "="
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
