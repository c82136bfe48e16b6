"""Time: periods, fiscal calendars and the phrases people use for them.

A :class:`Period` is an inclusive date range with a kind (its natural grain) and a label.
:func:`parse_period` turns ``"2025"``, ``"2025-12"``, ``"Q4 2025"``, ``"FY2025"``, ``"YTD"``,
``"last quarter"``, ``"last 12 months"`` or ``"2025-01-01..2025-03-31"`` into one, relative to an
as-of date. Explicit years, quarters and months are calendar periods; relative phrases (YTD, QTD,
this/last quarter, this/last year) follow the fiscal calendar, whose year starts in
``fiscal_start_month`` and is named after the calendar year in which it ends (with a fiscal year
starting in April, FY2025 runs from April 2024 to March 2025).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from revintel.errors import InvalidRequest

#: time grains a query can be broken down by
GRAINS = ("month", "quarter", "year", "fiscal_quarter", "fiscal_year")
_GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12, "fiscal_quarter": 3, "fiscal_year": 12}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clamped to the end of the target month."""
    idx = day.year * 12 + day.month - 1 + months
    year, month = divmod(idx, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month."""
    return (end.year - start.year) * 12 + end.month - start.month


def grain_start(day: dt.date, grain: str, fiscal_start_month: int = 1) -> dt.date:
    """First day of the ``grain`` bucket that holds ``day``."""
    if grain not in _GRAIN_MONTHS:
        raise InvalidRequest(f"unknown time grain {grain!r}", hint="valid grains: " + ", ".join(GRAINS))
    size = _GRAIN_MONTHS[grain]
    anchor = fiscal_start_month if grain.startswith("fiscal") else 1
    offset = (day.month - anchor) % size
    return add_months(month_start(day), -offset)


def fiscal_year_of(day: dt.date, fiscal_start_month: int) -> int:
    """The fiscal year holding ``day`` (named after the calendar year it ends in)."""
    if fiscal_start_month == 1:
        return day.year
    return day.year + 1 if day.month >= fiscal_start_month else day.year


@dataclass(frozen=True)
class Period:
    """An inclusive date range: ``start`` .. ``end``.

    ``grain`` is the period's kind: ``year``, ``quarter``, ``month``, ``fiscal_year``,
    ``fiscal_quarter``, ``ytd``, ``qtd``, ``mtd``, ``months`` (a run of whole months) or ``range``.
    """

    start: dt.date
    end: dt.date
    grain: str
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidRequest(
                f"period {self.label!r} ends ({self.end}) before it starts ({self.start})",
                hint="give the earlier date first, e.g. 2025-01-01..2025-03-31",
            )

    @property
    def whole_months(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def months(self) -> int:
        """Number of calendar months the period touches."""
        return months_between(self.start, self.end) + 1

    def shift_months(self, months: int, label: str | None = None) -> Period:
        """The same period moved by ``months`` (month ends stay month ends)."""
        end = add_months(self.end, months)
        if self.end == month_end(self.end):
            end = month_end(end)
        return Period(add_months(self.start, months), end, self.grain, label or f"{self.label} {months:+d}m")

    def prior_year(self) -> Period:
        """The same period one year earlier."""
        return self.shift_months(-12, f"{self.label} (prior year)")

    def prior_period(self) -> Period:
        """The period of the same length immediately before this one."""
        label = f"{self.label} (prior period)"
        if self.whole_months:
            return self.shift_months(-self.months, label)
        if self.grain in ("ytd", "qtd", "mtd"):
            size = {"ytd": 12, "qtd": 3, "mtd": 1}[self.grain]
            return self.shift_months(-size, label)
        length = (self.end - self.start).days + 1
        return Period(
            self.start - dt.timedelta(days=length), self.start - dt.timedelta(days=1), "range", label
        )

    def to_text(self) -> str:
        """This period as text :func:`parse_period` reads back exactly, label included."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}|{self.grain}|{self.label}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "grain": self.grain,
            "label": self.label,
        }


def buckets(period: Period, grain: str, fiscal_start_month: int = 1) -> list[tuple[dt.date, dt.date]]:
    """The ``grain`` buckets covering ``period``, each as (bucket start, end clipped to the period)."""
    out = []
    start = grain_start(period.start, grain, fiscal_start_month)
    size = _GRAIN_MONTHS[grain]
    while start <= period.end:
        nxt = add_months(start, size)
        out.append((start, min(nxt - dt.timedelta(days=1), period.end)))
        start = nxt
    return out


def last_full_months(as_of: dt.date, n: int) -> Period:
    end = month_end(as_of) if as_of == month_end(as_of) else month_start(as_of) - dt.timedelta(days=1)
    start = add_months(month_start(end), -(n - 1))
    return Period(start, end, "months", f"last {n} months")


def _year(y: int, label: str | None = None) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", label or str(y))


def _quarter(y: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise InvalidRequest(f"there is no quarter Q{q}", hint="quarters are Q1 to Q4, e.g. 2025-Q4")
    start = dt.date(y, 3 * (q - 1) + 1, 1)
    return Period(start, month_end(add_months(start, 2)), "quarter", f"{y}-Q{q}")


def _month(y: int, m: int) -> Period:
    if not 1 <= m <= 12:
        raise InvalidRequest(f"there is no month {m}", hint="months are 01 to 12, e.g. 2025-12")
    start = dt.date(y, m, 1)
    return Period(start, month_end(start), "month", f"{y}-{m:02d}")


def fiscal_year(fy: int, fiscal_start_month: int) -> Period:
    """Fiscal year ``fy`` (named after the calendar year it ends in)."""
    start = dt.date(fy if fiscal_start_month == 1 else fy - 1, fiscal_start_month, 1)
    return Period(start, month_end(add_months(start, 11)), "fiscal_year", f"FY{fy}")


def fiscal_quarter(fy: int, q: int, fiscal_start_month: int) -> Period:
    if not 1 <= q <= 4:
        raise InvalidRequest(f"there is no quarter Q{q}", hint="quarters are Q1 to Q4, e.g. FY2025-Q2")
    start = add_months(fiscal_year(fy, fiscal_start_month).start, 3 * (q - 1))
    return Period(start, month_end(add_months(start, 2)), "fiscal_quarter", f"FY{fy}-Q{q}")


def _fiscal_quarter_at(day: dt.date, fs: int) -> Period:
    start = grain_start(day, "fiscal_quarter", fs)
    fy = fiscal_year_of(start, fs)
    q = months_between(fiscal_year(fy, fs).start, start) // 3 + 1
    return fiscal_quarter(fy, q, fs)


def _relative(text: str, as_of: dt.date, fs: int) -> Period | None:
    fy = fiscal_year_of(as_of, fs)
    this_q = _fiscal_quarter_at(as_of, fs)
    table = {
        "ytd": lambda: Period(fiscal_year(fy, fs).start, as_of, "ytd", f"YTD {as_of.isoformat()}"),
        "qtd": lambda: Period(this_q.start, as_of, "qtd", f"QTD {as_of.isoformat()}"),
        "mtd": lambda: Period(month_start(as_of), as_of, "mtd", f"MTD {as_of.isoformat()}"),
        "this year": lambda: fiscal_year(fy, fs),
        "last year": lambda: fiscal_year(fy - 1, fs),
        "this quarter": lambda: this_q,
        "last quarter": lambda: _fiscal_quarter_at(this_q.start - dt.timedelta(days=1), fs),
        "this month": lambda: _month(as_of.year, as_of.month),
        "last month": lambda: _month(
            *(lambda d: (d.year, d.month))(month_start(as_of) - dt.timedelta(days=1))
        ),
    }
    text = re.sub(r"^(the )?(previous|prior)\b", "last", text)
    text = re.sub(r"^current\b", "this", text)
    if text in table:
        return table[text]()
    m = re.fullmatch(r"(?:last|trailing|past) (\d{1,3}) months?", text)
    if m:
        n = int(m.group(1))
        if n < 1:
            raise InvalidRequest("a period needs at least one month", hint="e.g. last 12 months")
        return last_full_months(as_of, n)
    return None


def _absolute(text: str, fs: int) -> Period | None:
    patterns: list[tuple[str, object]] = [
        (r"(\d{4})", lambda y: _year(int(y))),
        (r"(\d{4})-(\d{1,2})", lambda y, m: _month(int(y), int(m))),
        (r"(\d{4})[- ]?q(\d)", lambda y, q: _quarter(int(y), int(q))),
        (r"q(\d)[- ](\d{4})", lambda q, y: _quarter(int(y), int(q))),
        (r"fy ?(\d{2}|\d{4})", lambda y: fiscal_year(_full_year(y), fs)),
        (r"fy ?(\d{2}|\d{4})[- ]?q(\d)", lambda y, q: fiscal_quarter(_full_year(y), int(q), fs)),
        (r"q(\d) fy ?(\d{2}|\d{4})", lambda q, y: fiscal_quarter(_full_year(y), int(q), fs)),
        (r"([a-z]+) (\d{4})", lambda name, y: _named_month(name, int(y))),
    ]
    for pattern, build in patterns:
        m = re.fullmatch(pattern, text)
        if m:
            return build(*m.groups())  # type: ignore[operator]
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}) ?(?:\.\.|to|/) ?(\d{4}-\d{2}-\d{2})", text)
    if m:
        start, end = (_iso(g) for g in m.groups())
        return Period(start, end, "range", f"{start.isoformat()}..{end.isoformat()}")
    return None


def _full_year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _named_month(name: str, year: int) -> Period | None:
    if name not in _MONTHS:
        return None
    return _month(year, _MONTHS[name])


def _iso(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a real date", hint="dates are YYYY-MM-DD") from None


EXAMPLES = (
    "2025",
    "2025-12",
    "2025-Q4",
    "Q4 2025",
    "FY2025",
    "YTD",
    "QTD",
    "MTD",
    "this quarter",
    "last quarter",
    "last month",
    "last year",
    "last 12 months",
    "2025-01-01..2025-03-31",
)


def parse_period(text: str | Period, as_of: dt.date, fiscal_start_month: int = 1) -> Period:
    """Parse a period phrase relative to ``as_of``.

    Args:
        text: e.g. ``"2025"``, ``"2025-12"``, ``"Q4 2025"``, ``"FY2025"``, ``"YTD"``, ``"last quarter"``,
            ``"last 12 months"``, ``"2025-01-01..2025-03-31"``, an exact ``Period.to_text()``
            (``"2025-01-01..2025-06-30|half|H1 2025"``); a Period is returned unchanged.
        as_of: the date treated as today.
        fiscal_start_month: month (1-12) the fiscal year starts.

    Raises:
        InvalidRequest: the text is not a period, or names an impossible one (``2025-13``, ``Q5``).
    """
    if isinstance(text, Period):
        return text
    exact = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})\|(\w+)\|(.+)", str(text))
    if exact:  # an exact period written by Period.to_text (start..end|grain|label)
        return Period(_iso(exact.group(1)), _iso(exact.group(2)), exact.group(3), exact.group(4).strip())
    norm = re.sub(r"\s+", " ", str(text).strip().lower())
    period = _relative(norm, as_of, fiscal_start_month) or _absolute(norm, fiscal_start_month)
    if period is None:
        from revintel.text import nearest

        raise InvalidRequest(
            f"cannot read {text!r} as a period",
            hint=nearest(norm, EXAMPLES) or "try one of: " + ", ".join(EXAMPLES),
            details={"value": str(text), "expected": ", ".join(EXAMPLES)},
        )
    return period
