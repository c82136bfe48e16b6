"""Dates said in a next step ("by Friday", "next week", "on 2025-11-12", "November 12th"), resolved
against the day of the call when one is given."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_DUE = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    r"|\b(?P<md>(?:" + "|".join(MONTHS) + r")\s+\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(?P<dm>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_month>" + "|".join(MONTHS) + r")\b"
    r"|\b(?P<wd>" + "|".join(WEEKDAYS) + r"|mon|tues?|weds?|thu(?:rs?)?|fri)\b"
    r"|\b(?P<rel>today|tonight|tomorrow|eod|cob|end of (?:the )?day|close of business|end of play"
    r"|end of next week|next week|next month|this week|end of (?:the )?(?:week|month|quarter))\b"
    r"|\b(?:the|on|by|for)\s+(?P<dom>\d{1,2})(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    ahead = (weekday - day.weekday()) % 7 or 7
    return day + dt.timedelta(days=ahead)


def _end_of(day: dt.date, what: str) -> dt.date:
    if "week" in what:
        return day + dt.timedelta(days=4 - day.weekday() if day.weekday() <= 4 else 6 - day.weekday())
    if "month" in what:
        nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    q_end_month = 3 * ((day.month - 1) // 3 + 1)
    nxt = dt.date(day.year + q_end_month // 12, q_end_month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _next_day_of_month(day: dt.date, dom: int) -> dt.date | None:
    """The first date on or after ``day`` that falls on day ``dom`` of its month ("the 31st")."""
    year, month = day.year, day.month
    for _ in range(3):
        try:
            when = dt.date(year, month, dom)
        except ValueError:
            when = None
        if when is not None and when >= day:
            return when
        year, month = year + month // 12, month % 12 + 1
    return None


@lru_cache(maxsize=65_536)
def _said(text: str) -> tuple[str, dict[str, str | None]] | None:
    """The first date words in ``text`` and their groups (a template line is read once)."""
    m = _DUE.search(text)
    return (m.group(0), m.groupdict()) if m else None


def find_due(text: str, day: dt.date | None = None) -> tuple[str | None, dt.date | None]:
    """(the words that say when, the date they mean) for the first date in ``text``."""
    found = _said(text)
    if found is None:
        return None, None
    said, g = found
    try:
        if g["iso"]:
            return said, dt.date.fromisoformat(g["iso"])
        if day is None:
            return said, None
        if g["md"] or g["dm"]:
            if g["md"]:
                month_name, num = g["md"].split()
            else:
                month_name, num = str(g["dm_month"]), str(g["dm"])
            month = MONTHS.index(month_name.lower()) + 1
            when = dt.date(day.year, month, int(num))
            return said, when if when >= day else dt.date(day.year + 1, month, int(num))
        if g["wd"]:
            wd = g["wd"].lower()[:3]
            return said, _next_weekday(day, [w[:3] for w in WEEKDAYS].index(wd))
        if g["dom"]:
            return said, _next_day_of_month(day, int(g["dom"]))
        rel = str(g["rel"]).lower()
    except ValueError:
        return said, None
    if rel in (
        "today",
        "tonight",
        "eod",
        "cob",
        "end of day",
        "end of the day",
        "close of business",
        "end of play",
    ):
        return said, day
    if rel == "end of next week":
        return said, _end_of(_next_weekday(day, 0), "week")
    if rel == "tomorrow":
        return said, day + dt.timedelta(days=1)
    if rel == "next week":
        return said, _next_weekday(day, 0)
    if rel == "this week":
        return said, _end_of(day, "week")
    if rel == "next month":
        return said, dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return said, _end_of(day, rel)
