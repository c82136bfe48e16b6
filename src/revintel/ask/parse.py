"""Reading a question: time expressions, metric and dimension phrases, data values.

:func:`parse` turns a plain-English question into a :class:`Request` (the "understood" frame)
against the metric catalogue and the data vocabulary. It never guesses a metric: if none is named
the request has ``metric=None`` and the engine abstains. Intent detection lives in
:mod:`revintel.ask.intents`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from revintel.ask.entities import EntityMatch, Vocabulary

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_VS = r"(?:vs\.?|versus|compared (?:to|with)|against|and)"
GRAIN_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:monthly|by month|per month|each month|month by month|month over month trend|every month)\b",
        "month",
    ),
    (r"\b(?:quarterly|by quarter|per quarter|each quarter|quarter by quarter)\b", "quarter"),
    (r"\b(?:yearly|by year|per year|each year|year by year|annually)\b", "year"),
    (r"\b(?:by fiscal quarter|per fiscal quarter)\b", "fiscal_quarter"),
    (r"\b(?:by fiscal year|per fiscal year)\b", "fiscal_year"),
)


@dataclass
class Request:
    """What the engine understood: the frame follow-ups refine and the LLM tool fills in.

    Attributes:
        question: the question as asked.
        intent: one of :data:`revintel.ask.answer.INTENTS`.
        metric: catalogue metric id, or None (the engine abstains).
        dimension: the dimension to break down, rank or decompose by.
        filters: dimension -> values the question named (ANDed with the caller's scope).
        period: a period phrase for :func:`revintel.semantic.time.parse_period`, or None.
        compare: ``budget``, ``py``, ``pp``, ``period`` (two periods) or ``segments``.
        compare_period: the second period of "2024 vs 2023".
        segments: (dimension, value) pairs compared with each other ("EMEA vs APAC").
        grain: time grain for trends.
        limit: N of "top N".
        order: ``desc`` (top, best) or ``asc`` (bottom, worst).
        as_of: an "as of YYYY-MM-DD" date.
        search: text of a deal lookup.
        out_of_scope: values the question named that the caller's scope excludes.
        widen: the question asked to drop a filter or see everything.
    """

    question: str
    intent: str = "value"
    metric: str | None = None
    dimension: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    period: str | None = None
    compare: str | None = None
    compare_period: str | None = None
    segments: list[list[str]] = field(default_factory=list)
    grain: str | None = None
    limit: int | None = None
    order: str = "desc"
    as_of: str | None = None
    search: str | None = None
    out_of_scope: list[list[str]] = field(default_factory=list)
    widen: bool = False
    metric_text: str | None = None
    followup: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Request:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Spans:
    """Character spans of the question already explained (masked from later matching)."""

    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self.taken)

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))


#: "vs the previous quarter", "compared with last year": the base of a comparison, not a period
_RELATIVE_BASE = (
    r"\b(?:vs\.?|versus|compared? (?:to|with)|than|against|over) (?:the )?(?:same period )?"
    r"(?:previous|prior|last|preceding) (year|quarter|month|period)\b"
)


def latest_month(month: int, as_of: dt.date) -> str:
    """The latest occurrence of calendar ``month`` that starts on or before ``as_of`` (as ``YYYY-MM``)."""
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return f"{year}-{month:02d}"


def _time_patterns(as_of: dt.date) -> list[tuple[str, Any]]:
    def year_pair(m: re.Match[str]) -> dict[str, Any]:
        return {"period": m.group(1), "compare_period": m.group(2), "compare": "period"}

    return [
        (rf"\b((?:fy ?)?\d{{4}}) {_VS} ((?:fy ?)?\d{{4}})\b", year_pair),
        (r"\b(q[1-4])[ -]?((?:fy ?)?\d{4})\b", lambda m: {"period": f"{m.group(1)} {m.group(2)}"}),
        (r"\b(\d{4})[ -]?(q[1-4])\b", lambda m: {"period": f"{m.group(1)}-{m.group(2)}"}),
        (r"\b(fy ?\d{2,4}(?:[ -]?q[1-4])?)\b", lambda m: {"period": m.group(1)}),
        (rf"\b({_MONTH_RE}) (\d{{4}})\b", lambda m: {"period": f"{m.group(1)} {m.group(2)}"}),
        (
            r"\b(\d{4}-\d{2}-\d{2}) ?(?:\.\.|to) ?(\d{4}-\d{2}-\d{2})\b",
            lambda m: {"period": f"{m.group(1)}..{m.group(2)}"},
        ),
        (r"\b(\d{4}-\d{2})\b", lambda m: {"period": m.group(1)}),
        (r"\b(?:fiscal )?(?:year to date|year-to-date|ytd|fytd)\b", lambda m: {"period": "ytd"}),
        (r"\b(?:quarter to date|quarter-to-date|qtd)\b", lambda m: {"period": "qtd"}),
        (r"\b(?:month to date|month-to-date|mtd)\b", lambda m: {"period": "mtd"}),
        (
            r"\b(this|last|previous|prior|current) (?:fiscal )?(quarter|year|month)\b",
            lambda m: {"period": f"{'this' if m.group(1) in ('this', 'current') else 'last'} {m.group(2)}"},
        ),
        (
            r"\b(?:last|past|trailing|previous) (\d{1,2}) months\b",
            lambda m: {"period": f"last {m.group(1)} months"},
        ),
        (r"\b(?:ltm|ttm|last twelve months)\b", lambda m: {"period": "last 12 months"}),
        (
            rf"\b(?:in|for|during|of|since) ({_MONTH_RE})\b",
            lambda m: {"period": latest_month(_MONTHS[m.group(1)], as_of)},
        ),
        (
            rf"\b({'|'.join(k for k in _MONTHS if k != 'may')})\b",
            lambda m: {"period": latest_month(_MONTHS[m.group(1)], as_of)},
        ),
        (r"\b((?:19|20)\d{2})\b", lambda m: {"period": m.group(1)}),
    ]


def parse_time(text: str, as_of: dt.date, spans: Spans) -> dict[str, Any]:
    """Time facts of ``text`` (lower case): period, compare_period, as_of, grain."""
    out: dict[str, Any] = {}
    m = re.search(r"\bas of (\d{4}-\d{2}-\d{2})\b", text)
    if m:
        out["as_of"] = m.group(1)
        spans.take(m.start(), m.end())
        as_of = dt.date.fromisoformat(m.group(1))
    m = re.search(_RELATIVE_BASE, text)
    if m:  # "compared with the previous quarter": a comparison, not a second period
        out["compare"] = "py" if m.group(1) == "year" else "pp"
        spans.take(m.start(), m.end())
    for pattern, build in _time_patterns(as_of):
        for m in re.finditer(pattern, text):
            if not spans.free(m.start(), m.end()):
                continue
            found = build(m)
            if "period" in out and "period" in found:
                if "compare_period" not in out and found["period"] != out["period"]:
                    out["compare_period"] = found["period"]
                    spans.take(m.start(), m.end())
                continue
            out.update(found)
            spans.take(m.start(), m.end())
    for pattern, grain in GRAIN_WORDS:
        m = re.search(pattern, text)
        if m and spans.free(m.start(), m.end()):
            out["grain"] = grain
            spans.take(m.start(), m.end())
            break
    return out


@dataclass(frozen=True)
class Phrase:
    kind: str  # metric or dimension
    id: str
    text: str
    start: int
    end: int


def phrase_index(catalogue: Any) -> dict[str, tuple[str, str]]:
    """Every metric and dimension phrase (lower case) -> (kind, id)."""
    out: dict[str, tuple[str, str]] = {}
    for d in catalogue.dimensions:
        for s in (d.id, d.id.replace("_", " "), d.label, *d.synonyms):
            out.setdefault(s.lower(), ("dimension", d.id))
    for m in catalogue.metrics:
        for s in (m.id.replace("_", " "), m.label, *m.synonyms):
            out[s.lower()] = ("metric", m.id)
        out.setdefault(m.id, ("metric", m.id))
    return out


def find_phrases(text: str, index: dict[str, tuple[str, str]], spans: Spans) -> list[Phrase]:
    """Metric and dimension phrases in ``text``, longest first, non-overlapping (plural-tolerant)."""
    out: list[Phrase] = []
    for phrase in sorted(index, key=len, reverse=True):
        pattern = r"(?<![a-z0-9])" + re.escape(phrase) + r"(?:s|es)?(?![a-z0-9])"
        for m in re.finditer(pattern, text):
            if spans.free(m.start(), m.end()):
                kind, ident = index[phrase]
                out.append(Phrase(kind, ident, m.group(0), m.start(), m.end()))
                spans.take(m.start(), m.end())
    return sorted(out, key=lambda p: p.start)


def find_entities(question: str, vocab: Vocabulary, spans: Spans) -> list[EntityMatch]:
    found = vocab.find(question, spans.taken)
    for e in found:
        spans.take(e.start, e.end)
    return found
