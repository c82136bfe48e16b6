"""Reading dates people type: ``2025-02-28``; an impossible date says why it is impossible."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from revintel.errors import InvalidRequest

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def problem(text: str) -> str | None:
    """Why ``text`` is not a YYYY-MM-DD date, in words, or None when it is one."""
    m = _ISO.match(text or "")
    if not m:
        return f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-02-28"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"{text.strip()} is not a date (there is no month {month}; months run 1-12)"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{text.strip()} is not a date ({calendar.month_name[month]} {year} has {last} days)"
    return None


def parse(text: str, field: str = "date") -> dt.date:
    """``text`` (YYYY-MM-DD) as a date.

    Raises:
        InvalidRequest: not a date, naming the field, the value and why
            ("2025-02-30 is not a date (February 2025 has 28 days)").
    """
    why = problem(text)
    if why:
        raise InvalidRequest(why, details={"field": field, "value": str(text)[:40], "expected": "YYYY-MM-DD"})
    m = _ISO.match(text)
    assert m is not None
    return dt.date(*(int(g) for g in m.groups()))
