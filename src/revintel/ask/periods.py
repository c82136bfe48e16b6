"""The period grammar of Ask: every way a revenue person names a stretch of time.

:func:`read_periods` finds the period phrases of a (lower-case) question and turns each into an
exact :class:`~revintel.semantic.time.Period`, relative to the dataset's as-of date:

* years (``2017``, ``FY17``, ``fiscal 2017``, ``calendar 2017``), quarters in every common form
  (``Q3 2017``, ``2017 Q3``, ``3Q17``, ``third quarter of 2017``, ``Q3`` alone = the latest Q3),
  halves (``H1 2017``, ``first half of 2017``, ``2H 2017``), months (``March 2017``, ``Mar '17``,
  ``03/2017``, ``2017-03``, ``in March`` = the latest March);
* ranges: ``May through August 2017``, ``from March to June``, ``Q1-Q3 2017``,
  ``between 2017-01-01 and 2017-03-31``;
* open ends: ``since March 2017``, ``after Q1 2017``, ``before 2017``, ``until June 2017``;
* rolling windows: ``last 90 days``, ``past 6 weeks``, ``trailing twelve months``, ``TTM``,
  ``last 2 quarters``;
* relative: ``this/last/next quarter|month|year|week``, ``YTD``, ``QTD``, ``MTD``.

A phrase that looks like a period but cannot be read exactly (``Q5``, ``H3``, ``last summer``,
``next fortnight``) is returned as *unreadable*: the engine asks which period was meant, never
answers for a wider or narrower one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from revintel.errors import InvalidRequest
from revintel.semantic.time import (
    Period,
    add_months,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_of,
    grain_start,
    last_full_months,
    month_end,
    month_start,
    parse_period,
)

MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    MONTHS[calendar.month_name[_i].lower()] = _i
    MONTHS[calendar.month_abbr[_i].lower()] = _i
MONTHS["sept"] = 9
#: month words; "may", "mar" and "jun" alone need a year or a preposition to count as months
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
#: a period inside a year named relative to the as-of date ("q3 of last year", "march this year")
_RELATIVE_YEAR = (
    r"\b(q[1-4]|h[12]|(?:the )?(?:first|second|third|fourth|1st|2nd|3rd|4th|last|final) (?:half|quarter)|"
    rf"(?:{_MON})\.?)(,? (?:of |in )?(?:the )?)(last|previous|prior|this|current|next) (?:fiscal )?year\b"
)
#: fills the room a relative year leaves when it is written out (never matched by a rule)
_PAD = "\x00"
_ORD = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
}
_ORD_RE = "first|1st|second|2nd|third|3rd|fourth|4th"
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}
_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d{2}"
_YY = r"(?:'|’)?\d{2}"
EARLIEST = dt.date(1900, 1, 1)
#: words that name time but that the grammar cannot place exactly: they lead to a clarification
_VAGUE = (
    r"\b(?:(?:last|this|next|in the|over the|during the|the) )?"
    r"(?:q[05-9]|h[03-9]|(?:early|late|mid)[- ](?:(?:19|20)\d{2}|year|quarter)|spring|summer|autumn|"
    r"fall season|winter|holiday season|christmas|"
    r"fortnight|semester|trimester|decade|recently|lately|a while ago|the other day|"
    r"last (?:few|couple of|several) (?:days|weeks|months|quarters|years)|"
    r"(?:last|past|next) (?:days|weeks|months|quarters)|(?:19|20)\d{2}-\d{2}-(?:3[2-9]|[4-9]\d))\b"
)


@dataclass(frozen=True)
class PeriodHit:
    """A period phrase found in the question."""

    start: int
    end: int
    words: str
    period: Period | None  # None: a time phrase that cannot be read exactly
    #: ``period`` (a closed period), ``open`` (since/before/after ...)
    kind: str = "period"
    #: for a range "from X to Y": X and Y (a growth question compares them instead)
    parts: tuple[Period, Period] | None = None


def _num(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _year(text: str) -> int:
    t = text.strip("'’")
    return 2000 + int(t) if len(t) == 2 else int(t)


def _span(start: dt.date, end: dt.date, label: str, grain: str = "range") -> Period:
    return Period(start, end, grain, label)


def _months_of_year(y: int, end: str, n: int) -> Period:
    """ "The first 3 months of 2025" (Jan-Mar), "the last 2 months of 2025" (Nov-Dec)."""
    if not 1 <= n <= 12:
        raise InvalidRequest(f"a year has no {n} months")
    first, last = (1, n) if end == "first" else (13 - n, 12)
    a, b = _month(y, first), _month(y, last)
    return _span(a.start, b.end, f"{a.label}–{b.label}" if first != last else a.label)


def _month(y: int, m: int) -> Period:
    return parse_period(f"{y}-{m:02d}", dt.date(y, m, 1))


def _quarter(y: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise InvalidRequest(f"Q{q} is not a quarter")
    return parse_period(f"{y}-q{q}", dt.date(y, 1, 1))


def _half(y: int, h: int) -> Period:
    start = dt.date(y, 1 if h == 1 else 7, 1)
    return _span(start, month_end(add_months(start, 5)), f"H{h} {y}", "half")


def latest_month(m: int, as_of: dt.date) -> int:
    """The year of the latest calendar month ``m`` that starts on or before ``as_of``."""
    return as_of.year if m <= as_of.month else as_of.year - 1


def _latest_quarter(q: int, as_of: dt.date) -> Period:
    y = as_of.year if (q - 1) * 3 + 1 <= as_of.month else as_of.year - 1
    return _quarter(y, q)


def _latest_half(h: int, as_of: dt.date) -> Period:
    y = as_of.year if (1 if h == 1 else 7) <= as_of.month else as_of.year - 1
    return _half(y, h)


def _month_range(m1: int, y1: int | None, m2: int, y2: int | None, as_of: dt.date) -> Period:
    if y2 is None:
        y2 = y1 if y1 is not None and m2 >= m1 else (y1 + 1 if y1 is not None else latest_month(m2, as_of))
    if y1 is None:
        y1 = y2 if m1 <= m2 else y2 - 1
    start, end = dt.date(y1, m1, 1), month_end(dt.date(y2, m2, 1))
    label = f"{calendar.month_abbr[m1]} {y1}–{calendar.month_abbr[m2]} {y2}"
    return _span(start, end, label)


class Grammar:
    """The period rules for one as-of date and fiscal year start."""

    def __init__(self, as_of: dt.date, fiscal_start_month: int = 1):
        self.as_of = as_of
        self.fs = fiscal_start_month

    # --- single periods -------------------------------------------------------------------------
    def single_rules(self) -> list[tuple[str, Callable[[re.Match[str]], Period]]]:
        a, fs = self.as_of, self.fs
        return [
            (r"(\d{4}-\d{2}-\d{2})", lambda m: _day(m.group(1))),
            (rf"(?:fy|fiscal year|fiscal) ?({_YEAR}|{_YY})[ -]?q([1-4])", self._fq),
            (rf"q([1-4]) ?(?:of )?(?:fy|fiscal year|fiscal) ?({_YEAR}|{_YY})", lambda m: self._fq2(m)),
            (rf"q([1-4])(?:[ -]|, | of |')?({_YEAR})", lambda m: _quarter(int(m.group(2)), int(m.group(1)))),
            (rf"({_YEAR})[ -]?q([1-4])", lambda m: _quarter(int(m.group(1)), int(m.group(2)))),
            (r"([1-4])q ?'?(\d{2})", lambda m: _quarter(_year(m.group(2)), int(m.group(1)))),
            (r"'?(\d{2})q([1-4])", lambda m: _quarter(_year(m.group(1)), int(m.group(2)))),  # "17Q3"
            (r"q([1-4]) ?'(\d{2})", lambda m: _quarter(_year(m.group(2)), int(m.group(1)))),
            (r"q([1-4])[ -]?(\d{2})(?![\d%])", lambda m: _quarter(_year(m.group(2)), int(m.group(1)))),
            (
                rf"quarter ([1-4])(?: of| in|,)? ({_YEAR})",
                lambda m: _quarter(int(m.group(2)), int(m.group(1))),
            ),
            (
                rf"(?:the )?({_ORD_RE}) quarter(?: of| in)?(?: (?:calendar |cy ?)?({_YEAR}))?",
                lambda m: (
                    _quarter(int(m.group(2)), _ORD[m.group(1)])
                    if m.group(2)
                    else _latest_quarter(_ORD[m.group(1)], a)
                ),
            ),
            (rf"h([12])(?:[ -]|, | of )?({_YEAR})", lambda m: _half(int(m.group(2)), int(m.group(1)))),
            (rf"({_YEAR})[ -]?h([12])", lambda m: _half(int(m.group(1)), int(m.group(2)))),
            (r"([12])h ?'?(\d{2})", lambda m: _half(_year(m.group(2)), int(m.group(1)))),
            (r"h([12]) ?'(\d{2})", lambda m: _half(_year(m.group(2)), int(m.group(1)))),
            (
                rf"(?:the )?(first|second|1st|2nd) half(?: of)?(?: the year| (?:calendar |cy ?)?({_YEAR}))?",
                lambda m: (
                    _half(int(m.group(2)), 1 if m.group(1) in ("first", "1st") else 2)
                    if m.group(2)
                    else _latest_half(1 if m.group(1) in ("first", "1st") else 2, a)
                ),
            ),
            (rf"(?:fy|fiscal year|fiscal) ?({_YEAR}|{_YY})\b", lambda m: fiscal_year(_year(m.group(1)), fs)),
            (rf"({_MON})\.?,? (?:of )?({_YEAR})", lambda m: _month(int(m.group(2)), MONTHS[m.group(1)])),
            (rf"({_MON})\.? ?'(\d{{2}})", lambda m: _month(_year(m.group(2)), MONTHS[m.group(1)])),
            (r"(0?[1-9]|1[0-2])/((?:19|20)\d{2})", lambda m: _month(int(m.group(2)), int(m.group(1)))),
            (rf"({_YEAR})-(0[1-9]|1[0-2])(?!-\d)", lambda m: _month(int(m.group(1)), int(m.group(2)))),
            (r"q([1-4])", lambda m: _latest_quarter(int(m.group(1)), a)),
            (r"h([12])", lambda m: _latest_half(int(m.group(1)), a)),
            (rf"(?:calendar |cy ?)?({_YEAR})", lambda m: parse_period(m.group(1), a, fs)),
        ]

    def _fq(self, m: re.Match[str]) -> Period:
        return fiscal_quarter(_year(m.group(1)), int(m.group(2)), self.fs)

    def _fq2(self, m: re.Match[str]) -> Period:
        return fiscal_quarter(_year(m.group(2)), int(m.group(1)), self.fs)

    def relative_rules(self) -> list[tuple[str, Callable[[re.Match[str]], Period]]]:
        a, fs = self.as_of, self.fs
        return [
            (
                rf"({_YEAR}) (?:year[- ]to[- ]date|ytd)",
                lambda m: _span(
                    dt.date(int(m.group(1)), 1, 1),
                    min(a, dt.date(int(m.group(1)), 12, 31)),
                    f"{m.group(1)} YTD",
                    "ytd",
                ),
            ),
            (
                r"(?:so far this year|this year so far|the year so far|year so far|so far in the year|"
                r"since the (?:start|beginning) of (?:the|this) year)",
                lambda m: parse_period("ytd", a, fs),
            ),
            (
                r"(?:so far this quarter|this quarter so far|"
                r"since the (?:start|beginning) of (?:the|this) quarter|"
                r"q[1-4] to date)",
                lambda m: parse_period("qtd", a, fs),
            ),
            (
                rf"(?:the )?last (quarter|month|half) of ({_YEAR})",
                lambda m: {
                    "quarter": lambda y: _quarter(y, 4),
                    "month": lambda y: _month(y, 12),
                    "half": lambda y: _half(y, 2),
                }[m.group(1)](int(m.group(2))),
            ),
            (
                rf"(?:the )?(first|last) ({_NUM}) months of ({_YEAR})",
                lambda m: _months_of_year(int(m.group(3)), m.group(1), _num(m.group(2))),
            ),
            (
                rf"(?:the )?first (two|2|three|3) quarters of ({_YEAR})",
                lambda m: _span(
                    dt.date(int(m.group(2)), 1, 1),
                    _quarter(int(m.group(2)), _num(m.group(1))).end,
                    f"Q1–Q{_num(m.group(1))} {m.group(2)}",
                ),
            ),
            (
                rf"(?:the )?(?:last|final) (two|2|three|3) quarters of ({_YEAR})",
                lambda m: _span(
                    _quarter(int(m.group(2)), 5 - _num(m.group(1))).start,
                    dt.date(int(m.group(2)), 12, 31),
                    f"Q{5 - _num(m.group(1))}–Q4 {m.group(2)}",
                ),
            ),
            (
                r"(?:fiscal )?(?:year[- ]to[- ]date|ytd|fytd)",
                lambda m: parse_period("ytd", a, fs),
            ),
            (r"(?:quarter[- ]to[- ]date|qtd)", lambda m: parse_period("qtd", a, fs)),
            (r"(?:month[- ]to[- ]date|mtd)", lambda m: parse_period("mtd", a, fs)),
            (
                rf"(?:the )?(?:last|past|trailing|previous|prior|rolling) ({_NUM})[- ]"
                r"(day|week|month|quarter|year)s?",
                self._rolling,
            ),
            (
                r"(?:ttm|ltm|trailing twelve months|trailing 12 months|last twelve months|"
                r"(?:the )?(?:past|last) year's worth)",
                lambda m: last_full_months(a, 12),
            ),
            (
                r"(?:the )?(this|current|last|previous|prior|past|next|coming) (?:fiscal |calendar )?"
                r"(week|month|quarter|year|half)",
                self._relative,
            ),
        ]

    def _rolling(self, m: re.Match[str]) -> Period:
        n, unit = _num(m.group(1)), m.group(2)
        if n < 1:
            raise InvalidRequest("a rolling window needs at least one unit")
        a = self.as_of
        if unit == "day":
            return _span(a - dt.timedelta(days=n - 1), a, f"last {n} days")
        if unit == "week":
            return _span(a - dt.timedelta(days=7 * n - 1), a, f"last {n} weeks")
        months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
        p = last_full_months(a, months)
        return _span(p.start, p.end, f"last {n} {unit}s" if n > 1 else f"last {unit}", "months")

    def _relative(self, m: re.Match[str]) -> Period:
        which, unit = m.group(1), m.group(2)
        a, fs = self.as_of, self.fs
        step = {"this": 0, "current": 0, "last": -1, "previous": -1, "prior": -1, "past": -1}.get(which, 1)
        if unit == "week":
            monday = a - dt.timedelta(days=a.weekday()) + dt.timedelta(days=7 * step)
            return _span(monday, monday + dt.timedelta(days=6), f"{which} week")
        if unit == "half":
            start = dt.date(a.year, 1 if a.month <= 6 else 7, 1)
            start = add_months(start, 6 * step)
            return _half(start.year, 1 if start.month == 1 else 2)
        if unit == "year" and which == "past":
            p = last_full_months(a, 12)
            return _span(p.start, p.end, "past year", "months")
        if unit == "year":
            return fiscal_year(fiscal_year_of(a, fs) + step, fs)
        size = 3 if unit == "quarter" else 1
        grain = "fiscal_quarter" if unit == "quarter" else "month"
        start = add_months(grain_start(a, grain, fs), size * step)
        if unit == "quarter":
            return parse_period("this quarter", start, fs)
        return parse_period(f"{start.year}-{start.month:02d}", a, fs)

    # --- reading --------------------------------------------------------------------------------
    def read(self, text: str, taken: list[tuple[int, int]] | None = None) -> list[PeriodHit]:
        """Every period phrase of ``text``, in order (ranges and open ends first, then single periods)."""
        original, text = text, self._relative_years(text)
        if text != original:
            out = []
            for h in self.read(
                text, taken
            ):  # the padding of "q3 2024<pad>" belongs to the phrase "q3 of last year"
                end = h.end
                while end < len(text) and text[end] == _PAD:
                    end += 1
                out.append(PeriodHit(h.start, end, original[h.start : end], h.period, h.kind, h.parts))
            return out
        used = list(taken or [])
        hits: list[PeriodHit] = []

        def free(s: int, e: int) -> bool:
            return not any(a < e and s < b for a, b in used)

        def add(
            s: int,
            e: int,
            period: Period | None,
            kind: str = "period",
            parts: tuple[Period, Period] | None = None,
        ) -> None:
            hits.append(PeriodHit(s, e, text[s:e], period, kind, parts))
            used.append((s, e))

        for m in re.finditer(r"\b(?:early|late|mid)[- ](?:(?:19|20)\d{2}|year|quarter|month)\b", text):
            add(m.start(), m.end(), None)  # "late 2025": no exact period
        self._ranges(text, free, add)
        self._open_ends(text, free, add)
        for pattern, build in self.relative_rules():
            for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w])", text):
                if free(m.start(), m.end()):
                    add(m.start(), m.end(), _safe(build, m))
        for pattern, build in self.single_rules():
            for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w])", text):
                if free(m.start(), m.end()):
                    add(m.start(), m.end(), _safe(build, m))
        self._bare_months(text, free, add)
        for m in re.finditer(_VAGUE, text):
            if free(m.start(), m.end()):
                add(m.start(), m.end(), None)
        return sorted(hits, key=lambda h: h.start)

    def _relative_years(self, text: str) -> str:
        """ "Q3 of last year", "the second half of this year": the year written out (same length)."""
        offset = {"last": -1, "previous": -1, "prior": -1, "this": 0, "current": 0, "next": 1}

        def put(m: re.Match[str]) -> str:
            year = self.as_of.year + offset[m.group(3)]
            joint = " of " if m.group(1).endswith(("half", "quarter")) else " "
            out = f"{m.group(1)}{joint}{year}"
            return out + _PAD * (len(m.group(0)) - len(out))

        return re.sub(_RELATIVE_YEAR, put, text)

    def _single(self, phrase: str) -> Period | None:
        for pattern, build in [*self.relative_rules(), *self.single_rules()]:
            m = re.fullmatch(pattern, phrase.strip())
            if m:
                return _safe(build, m)
        m = re.fullmatch(rf"(?:in )?({_MON})", phrase.strip())
        if m:
            mo = MONTHS[m.group(1)]
            return _month(latest_month(mo, self.as_of), mo)
        return None

    def _prefix(self, rest: str) -> tuple[Period | None, int]:
        """The longest leading words of ``rest`` that read as one period, and their length."""
        parts = rest.split(" ")
        for k in range(min(len(parts), 5), 0, -1):
            cand = " ".join(parts[:k])
            p = self._single(cand)
            if p is not None:
                return p, len(cand)
        return None, 0

    def _ranges(self, text: str, free: Callable[[int, int], bool], add: Callable[..., None]) -> None:
        a = self.as_of
        sep = r"(?:to|through|thru|until|till|and|-|–)"
        qsep = r"(?: ?[-–] ?| (?:to|through|thru|until|till|and) )"
        month_range = (
            rf"(?:from |between )?({_MON})\.?(?: ({_YEAR}))?(?: {sep} | ?[-–] ?)({_MON})\.?(?:,? ({_YEAR}))?"
        )
        for m in re.finditer(rf"(?<![\w-]){month_range}(?!\w)", text):
            if not free(m.start(), m.end()):
                continue
            if (
                m.group(1) == "may"
                and not (m.group(2) or m.group(4))
                and not text[: m.start()].rstrip().endswith(("from", "between"))
            ):
                continue
            if re.search(r" and ", m.group(0)) and not m.group(0).startswith("between"):
                continue  # "March and June" names two months, not the run between them
            y1 = int(m.group(2)) if m.group(2) else None
            y2 = int(m.group(4)) if m.group(4) else None
            try:
                p = _month_range(MONTHS[m.group(1)], y1, MONTHS[m.group(3)], y2, a)
            except (InvalidRequest, ValueError):
                add(m.start(), m.end(), None)
                continue
            first = _month(p.start.year, p.start.month)
            last = _month(p.end.year, p.end.month)
            add(m.start(), m.end(), p, "period", (first, last))
        for m in re.finditer(rf"(?<![\w-])(?:from |between )?({_YEAR}) q([1-4]){qsep}q([1-4])(?!\w)", text):
            y = int(m.group(1))  # "2017 Q2 through Q4"
            q1, q2 = _quarter(y, int(m.group(2))), _quarter(y, int(m.group(3)))
            if free(m.start(), m.end()) and q2.end >= q1.start:
                add(m.start(), m.end(), _span(q1.start, q2.end, f"{q1.label}–{q2.label}"), "period", (q1, q2))
        q_range = rf"(?:from |between )?q([1-4])(?: ({_YEAR}))?{qsep}q([1-4])(?:,? ({_YEAR}))?"
        for m in re.finditer(rf"(?<![\w-]){q_range}(?!\w)", text):
            if not free(m.start(), m.end()):
                continue
            y2 = int(m.group(4)) if m.group(4) else (int(m.group(2)) if m.group(2) else a.year)
            y1 = int(m.group(2)) if m.group(2) else y2
            q1, q2 = _quarter(y1, int(m.group(1))), _quarter(y2, int(m.group(3)))
            if q2.end < q1.start:
                add(m.start(), m.end(), None)
                continue
            add(m.start(), m.end(), _span(q1.start, q2.end, f"{q1.label}–{q2.label}"), "period", (q1, q2))
        # general "from X to Y" / "between X and Y" with any two single periods
        general = (
            r"(?<![\w-])(?:from|between) ([\w' /-]{2,24}?) (?:to|through|thru|until|till|and) "
            r"([\w' /-]{2,30})"
        )
        for m in re.finditer(general, text):
            p1 = self._single(m.group(1))
            p2, used_len = self._prefix(m.group(2))
            end = m.start(2) + used_len
            if not free(m.start(), end):
                continue
            if p1 and p2 and p2.end >= p1.start:
                add(m.start(), end, _span(p1.start, p2.end, f"{p1.label}–{p2.label}"), "period", (p1, p2))

    def _open_ends(self, text: str, free: Callable[[int, int], bool], add: Callable[..., None]) -> None:
        a = self.as_of
        pattern = (
            r"(?<![\w-])(since|from|starting|after|before|prior to|until|up to|through|till|by the end of|"
            r"ending|on or after|on or before)"
            r" (?:the (?:start|beginning|end) of )?([\w' /-]{2,30})"
        )
        for m in re.finditer(pattern, text):
            word, rest = m.group(1), m.group(2)
            p, used_len = self._prefix(rest)
            end = m.start(2) + used_len
            if p is None or not free(m.start(), end):
                continue
            if word in ("since", "from", "starting", "on or after"):
                if word == "from" and p.end >= a:
                    continue
                add(m.start(), end, _span(p.start, a, f"since {p.label}"), "open")
            elif word == "after":
                if p.end >= a:
                    continue
                add(m.start(), end, _span(p.end + dt.timedelta(days=1), a, f"after {p.label}"), "open")
            elif word in ("before", "prior to"):
                add(
                    m.start(),
                    end,
                    _span(EARLIEST, p.start - dt.timedelta(days=1), f"before {p.label}"),
                    "open",
                )
            else:
                add(m.start(), end, _span(EARLIEST, p.end, f"through {p.label}"), "open")

    def _bare_months(self, text: str, free: Callable[[int, int], bool], add: Callable[..., None]) -> None:
        a = self.as_of
        for m in re.finditer(rf"(?<![\w-])(?:(in|for|during|of|since|over) )?({_MON})\.?(?![\w])", text):
            word, name = m.group(1), m.group(2)
            s = m.start(2)
            if not free(s, m.end()):
                continue
            if not word and (name == "may" or name != calendar.month_name[MONTHS[name]].lower()):
                continue  # "may" is a verb, "mar"/"jun" are words too: a month only after a preposition
            mo = MONTHS[name]
            y = latest_month(mo, a)
            add(s, m.end(), _month(y, mo))


def _day(text: str) -> Period:
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a real date") from None
    return _span(d, d, d.isoformat(), "day")


def _safe(build: Callable[[re.Match[str]], Period], m: re.Match[str]) -> Period | None:
    try:
        return build(m)
    except (InvalidRequest, ValueError, KeyError):
        return None


def read_periods(
    text: str, as_of: dt.date, fiscal_start_month: int = 1, taken: list[tuple[int, int]] | None = None
) -> list[PeriodHit]:
    """Period phrases of ``text`` (lower case), each read exactly or marked unreadable (see module doc)."""
    return Grammar(as_of, fiscal_start_month).read(text, taken)


def period_text(p: Period) -> str:
    """A period as a phrase :func:`resolve_period` reads back exactly (its label kept)."""
    return p.to_text()


def resolve_period(text: str | None, as_of: dt.date, fiscal_start_month: int = 1) -> Period | None:
    """A request's period slot as a Period (``start..end|grain|label`` or any semantic-layer phrase)."""
    if text is None:
        return None
    if "|" in text:
        span, grain, label = text.split("|", 2)
        start, end = span.split("..")
        return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end), grain, label)
    return parse_period(text, as_of, fiscal_start_month)


__all__ = ["PeriodHit", "latest_month", "month_start", "period_text", "read_periods", "resolve_period"]
