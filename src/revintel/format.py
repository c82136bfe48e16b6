"""How revintel writes a number, a difference, a date or an axis: one module for every surface.

Pages, charts (Plotly, ReportLab, PowerPoint), exports, deliveries, Ask and the CLI all format
through here, so a figure reads the same wherever it is shown::

    value(35_741_233, "currency")        -> "$35.74M"
    value(0.7588, "percent")             -> "75.9%"
    delta(-0.006, "percent")             -> "-0.6 pp"     (the difference of a rate is in points)
    variance(-205_730_000, -0.081, "currency") -> "-$205.73M (-8.1%)"  (a flow: units and %)
    quarter(date(2017, 1, 1))            -> "Q1 2017"
    csv_value(11085657.199999994, "hours") -> 11085657.2

Units are the metric catalogue's: ``currency``, ``currency_per_hour``, ``currency_per_day``,
``hours``, ``days``, ``percent`` (a fraction: 0.25 is 25%), ``ratio`` (a multiple: 1.8x),
``count`` and ``number``; two more name a difference: ``points`` (of two fractions: ``-0.6 pp``)
and ``change`` (a signed relative change: ``+4.2%``).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: what a missing value reads as in a card or a table cell
DASH = "–"
#: units whose difference is a difference of points, not a relative change
RATE_UNITS = frozenset({"percent", "fraction", "pct", "%"})
#: units shown as a multiple (``1.80x``); their difference is in the same units
MULTIPLE_UNITS = frozenset({"ratio"})
CURRENCY_UNITS = frozenset({"currency", "money", "usd", "$"})
#: decimals kept in CSV and JSON machine values, by unit: cents, tenths of an hour or a day, and
#: fractions to 0.0001% (three digits finer than the 0.1% shown, so re-rounding a cell for display
#: gives what the page shows)
CSV_DIGITS = {
    "currency": 2,
    "currency_per_hour": 2,
    "currency_per_day": 2,
    "percent": 6,
    "ratio": 4,
    "hours": 1,
    "days": 1,
    "count": 0,
}
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _norm(unit: str | None) -> str:
    u = (unit or "number").lower()
    if u in RATE_UNITS:
        return "percent"
    if u in CURRENCY_UNITS:
        return "currency"
    return u


def is_rate(unit: str | None) -> bool:
    """Whether differences in ``unit`` are points (a share, a margin) rather than a relative change."""
    return _norm(unit) == "percent"


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool | str):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def finite(v: Any) -> Any:
    """``v`` with every NaN and infinity (in its dicts, lists and tuples too) as ``None``: what strict
    JSON (the API's and the CLI's) writes for a figure that does not exist."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [finite(x) for x in v]
    return v


def missing(v: Any) -> bool:
    """Whether ``v`` has no number to show (None, NaN, infinity, not a number)."""
    return _number(v) is None


# --- plain numbers ------------------------------------------------------------------------------
def _fixed(x: float, digits: int, sep: bool = False) -> str:
    """``x`` to ``digits`` decimals, halves rounded away from zero on the decimal value shown
    (35.735 -> 35.74 on every surface, where binary floats would give 35.73 on some)."""
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{q:,.{digits}f}" if sep else f"{q:.{digits}f}"


def compact(a: float, digits: int | None = None) -> str:
    """A non-negative magnitude, shortened past 10,000: ``12.4K``, ``35.74M``, ``2.35B``; ``9,870``."""
    for div, suffix in _SCALES:
        if a >= div * 0.9995 and a >= 10_000:
            d = digits if digits is not None else (1 if suffix == "K" else 2)
            return f"{_fixed(a / div, d)}{suffix}"
    if a >= 100 or float(a).is_integer():
        return _fixed(a, 0, sep=True)
    return _fixed(a, 1 if digits is None else digits, sep=True)


def money(v: Any, *, full: bool = False, currency: str = "$", none: str = DASH) -> str:
    """Money: ``$35.74M`` (compact) or ``$35,741,233`` (``full=True``); negatives ``-$256.8K``."""
    f = _number(v)
    if f is None:
        return none
    a = abs(f)
    body = _fixed(a, 0, sep=True) if full or a < 10_000 else compact(a)
    return f"{'-' if f < 0 and body.strip('0,.') else ''}{currency}{body}"


def percent(v: Any, digits: int = 1, *, none: str = DASH) -> str:
    """A fraction as a percentage: 0.7588 -> ``75.9%``."""
    f = _number(v)
    return none if f is None else f"{_fixed(_nz(f * 100, digits), digits)}%"


def change(v: Any, digits: int = 1, *, none: str = DASH) -> str:
    """A signed relative change from a fraction: 0.042 -> ``+4.2%``."""
    f = _number(v)
    return none if f is None else _signed(f * 100, digits) + "%"


def points(v: Any, digits: int = 1, *, none: str = DASH) -> str:
    """A signed difference of two fractions, in percentage points: -0.006 -> ``-0.6 pp``."""
    f = _number(v)
    return none if f is None else _signed(f * 100, digits) + " pp"


def count(v: Any, *, none: str = DASH) -> str:
    """A count: ``4,518``; past a million ``1.20M``."""
    f = _number(v)
    if f is None:
        return none
    return ("-" if f < 0 else "") + (compact(abs(f)) if abs(f) >= 1e6 else _fixed(abs(f), 0, sep=True))


def hours(v: Any, *, none: str = DASH) -> str:
    """Hours: ``41.2K h``, ``950 h``."""
    f = _number(v)
    return none if f is None else ("-" if f < 0 else "") + compact(abs(f)) + " h"


def days(v: Any, *, none: str = DASH) -> str:
    """Days, to a tenth: ``12.3 days``."""
    f = _number(v)
    return none if f is None else ("-" if f < 0 else "") + _fixed(abs(f), 1, sep=True) + " days"


def _signed(x: float, digits: int) -> str:
    text = _fixed(abs(x), digits)
    return ("-" if x < 0 and float(text) != 0 else "+") + text


def _nz(x: float, digits: int) -> float:
    """``x`` without a negative zero once rounded (so -0.04 never reads ``-0.0``)."""
    return 0.0 if round(x, digits) == 0 else x


def value(v: Any, unit: str | None = None, *, full: bool = False, none: str = DASH) -> str:
    """Any figure by its catalogue unit; text and dates pass through readable.

    Args:
        v: the number (or a date, or text shown as it is).
        unit: the catalogue unit.
        full: money in full (``$35,741,233``) rather than compact.
        none: what a missing value reads as.
    """
    if isinstance(v, dt.date):
        return date(v)
    if isinstance(v, str):
        return v
    f = _number(v)
    if f is None:
        return none
    u = _norm(unit)
    if u == "percent":
        return percent(f)
    if u in ("points", "pp"):
        return points(f)
    if u == "change":
        return change(f)
    if u == "ratio":
        return f"{_fixed(f, 2, sep=True)}x"
    if u == "currency":
        return money(f, full=full)
    if u in ("currency_per_hour", "currency_per_day"):
        per = "h" if u.endswith("hour") else "day"
        return f"{'-' if f < 0 else ''}${_fixed(abs(f), 2 if per == 'h' else 0, sep=True)}/{per}"
    if u == "hours":
        return hours(f)
    if u == "days":
        return days(f)
    if u == "count":
        return count(f)
    return ("-" if f < 0 else "") + compact(abs(f))


# --- differences --------------------------------------------------------------------------------
def delta(diff: Any, unit: str | None = None, *, none: str = DASH) -> str:
    """A signed difference in the figure's own terms: ``-0.6 pp`` for a rate, ``+$1.20M`` for money."""
    f = _number(diff)
    if f is None:
        return none
    if is_rate(unit):
        return points(f)
    text = value(abs(f), unit)
    return ("-" if f < 0 and text != value(0.0, unit) else "+") + text


def variance(diff: Any, pct: Any, unit: str | None = None, *, none: str = DASH) -> str:
    """A variance as a reader wants it: points for a rate, units and % for a flow.

    ``variance(-0.006, None, "percent")`` -> ``-0.6 pp``;
    ``variance(-205_730_000, -0.081, "currency")`` -> ``-$205.73M (-8.1%)``.
    """
    if is_rate(unit):
        return delta(diff, unit, none=none)
    if missing(diff):
        return change(pct, none=none)
    text = delta(diff, unit)
    return text if missing(pct) else f"{text} ({change(pct)})"


def variance_short(diff: Any, pct: Any, unit: str | None = None, *, none: str = DASH) -> str:
    """The one-token variance for a card or a table cell: points for a rate, % for a flow."""
    return delta(diff, unit, none=none) if is_rate(unit) else change(pct, none=none)


# --- dates and periods --------------------------------------------------------------------------
def _as_date(d: Any) -> dt.date | None:
    if d is None:
        return None
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if hasattr(d, "to_pydatetime"):  # pandas Timestamp
        return d.to_pydatetime().date()
    try:
        return dt.date.fromisoformat(str(d)[:10])
    except ValueError:
        return None


def date(d: Any, *, none: str = DASH) -> str:
    """A day: ``31 Dec 2025``."""
    x = _as_date(d)
    return none if x is None else f"{x.day} {_MONTHS[x.month - 1]} {x.year}"


def month(d: Any, *, none: str = DASH) -> str:
    """A month: ``Dec 2025``."""
    x = _as_date(d)
    return none if x is None else f"{_MONTHS[x.month - 1]} {x.year}"


def quarter(d: Any, *, none: str = DASH) -> str:
    """A calendar quarter from any day in it: ``Q1 2017``."""
    x = _as_date(d)
    return none if x is None else f"Q{(x.month - 1) // 3 + 1} {x.year}"


def bucket(d: Any, grain: str | None) -> str:
    """A time bucket's label by its grain (the bucket's first day in, ``Q1 2017`` / ``Dec 2025`` out)."""
    g = (grain or "day").lower()
    if g in ("quarter", "fiscal_quarter"):
        return quarter(d)
    if g in ("year", "fiscal_year"):
        x = _as_date(d)
        return DASH if x is None else str(x.year)
    if g == "month":
        return month(d)
    return date(d)


def scope_words(described: str | None) -> str:
    """A scope description for a reader: ``all rows`` -> ``the whole business``."""
    return "the whole business" if not described or described == "all rows" else described


# --- machine values -----------------------------------------------------------------------------
def csv_value(v: Any, unit: str | None = None) -> Any:
    """A number for a CSV or JSON cell, rounded to its unit's precision (no ``…999994``, no ``e-07``).

    Text and dates pass through unchanged; a missing number is None.
    """
    if isinstance(v, str | dt.date) or v is None:
        return v
    f = _number(v)
    if f is None:
        return None
    digits = CSV_DIGITS.get(_norm(unit), 4)
    r = round(f, digits)
    if digits == 0:
        return int(r)
    return 0.0 if r == 0 else r


# --- chart axes ---------------------------------------------------------------------------------
def plotly_axis(unit: str | None) -> dict[str, Any]:
    """Plotly axis settings whose ticks carry the unit: ``$2.6B``, ``40%``, ``12k h`` (never ``2.6G``)."""
    u = _norm(unit)
    if u == "percent":
        return {"tickformat": ".0%"}
    if u == "ratio":
        return {"tickformat": ".1f", "ticksuffix": "x"}
    out: dict[str, Any] = {"exponentformat": "B", "separatethousands": True}
    if u.startswith("currency"):
        out["tickprefix"] = "$"
    if u == "hours":
        out["ticksuffix"] = " h"
    if u == "days":
        out["ticksuffix"] = " d"
    return out


def axis_label(v: Any, unit: str | None = None) -> str:
    """A tick label for a static chart (PDF, deck): short, with the unit, no trailing zeros (``$1.5M``)."""
    f = _number(v)
    if f is None:
        return ""
    u = _norm(unit)
    if u == "percent":
        return f"{f * 100:.0f}%" if abs(f) >= 0.1 or f == 0 else f"{f * 100:.1f}%"
    if u == "ratio":
        return f"{f:.1f}x"
    a, sign = abs(f), "-" if f < 0 else ""
    body = f"{a:,.0f}" if a < 1000 else ""
    for div, suffix in _SCALES:
        if a >= div:
            body = f"{a / div:.2f}".rstrip("0").rstrip(".") + suffix
            break
    prefix = "$" if u.startswith("currency") else ""
    suffix = {"hours": " h", "days": " d"}.get(u, "")
    return f"{sign}{prefix}{body}{suffix}"


def axis_range(
    values: list[Any], *, from_zero: bool | None = None, pad: float = 0.08
) -> tuple[float, float] | None:
    """The value-axis range that keeps a trend readable.

    Bars must start at zero; a line whose values sit far from zero (their spread is under a third
    of their level) gets a range around the data instead, so it does not render as a flat line.
    ``from_zero`` forces either choice. None when there is nothing to draw.
    """
    nums = [f for f in (_number(v) for v in values) if f is not None]
    if not nums:
        return None
    lo, hi = min(nums), max(nums)
    spread = hi - lo
    level = max(abs(lo), abs(hi))
    if from_zero is None:
        from_zero = level == 0 or spread >= level / 3 or (lo < 0 < hi)
    if from_zero:
        return (min(0.0, lo * (1 + pad)), max(0.0, hi * (1 + pad)))
    margin = max(spread * pad * 2, level * 0.01)
    return (lo - margin, hi + margin)


def office_number_format(unit: str | None) -> str:
    """An Excel/PowerPoint number format for a chart axis with the unit: ``$1.5M``, ``25%``, ``41K h``."""
    u = _norm(unit)
    if u == "percent":
        return "0%"
    if u == "ratio":
        return '0.0"x"'
    prefix = '"$"' if u.startswith("currency") else ""
    suffix = {"hours": '" h"', "days": '" d"'}.get(u, "")
    return f'[>=1000000]{prefix}#,##0.0,,"M"{suffix};[>=1000]{prefix}#,##0,"K"{suffix};{prefix}#,##0{suffix}'
