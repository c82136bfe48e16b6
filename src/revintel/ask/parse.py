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
from revintel.ask.periods import period_text, read_periods

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
    #: evidence of reading: rewrites (jargon, misspellings), the words each slot came from
    rewrites: list[dict[str, Any]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    #: content words no slot explains, time words no period explains, concepts the catalogue lacks
    unresolved: list[str] = field(default_factory=list)
    unreadable_period: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    #: "from Q2 to Q3": the two ends of a range (a growth question compares them)
    period_parts: list[str] = field(default_factory=list)
    #: operation on the metric: growth (rank by change), share_of_total, gap (to budget) ...
    operation: str | None = None
    #: true reasons the question asks for a figure the catalogue does not define (-> abstain)
    blocked: list[str] = field(default_factory=list)
    #: other metrics the question names that the reading does not use (-> clarify which)
    also_named: list[str] = field(default_factory=list)
    #: other dimensions the question splits by that the reading does not use (-> clarify which)
    also_by: list[str] = field(default_factory=list)
    #: slots carried over from the previous turn
    inherited: list[str] = field(default_factory=list)
    #: dimension -> values the question excludes ("excluding Technology"): the filter is every other value
    excluded: dict[str, list[str]] = field(default_factory=dict)
    #: the question as read (normalised, jargon and spelling applied)
    text: str = ""

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
    r"(?:previous|prior|last|preceding) (year|quarter|month|period)\b|"
    # "vs the same quarter last year", "compared with a year ago": the same period a year before
    r"\b(?:vs\.?|versus|compared? (?:to|with)|than|against|over) (?:the )?same (?:quarter|month|half|period|"
    r"time|week) (?:of |in )?(?:the )?(?:last|previous|prior) (year)\b|"
    r"\b(?:vs\.?|versus|compared? (?:to|with)|than|against) (?:a |one )(year) (?:ago|earlier|before)\b"
)


def latest_month(month: int, as_of: dt.date) -> str:
    """The latest occurrence of calendar ``month`` that starts on or before ``as_of`` (as ``YYYY-MM``)."""
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return f"{year}-{month:02d}"


def parse_time(text: str, as_of: dt.date, spans: Spans, fiscal_start_month: int = 1) -> dict[str, Any]:
    """Time facts of ``text`` (lower case): period, compare_period, as_of, grain (see :mod:`.periods`).

    Periods come back as exact ``start..end|grain|label`` texts (:func:`~revintel.ask.periods.resolve_period`
    reads them); ``period_words`` are the words each came from; ``unreadable`` lists time words that
    name no exact period (the engine asks which period was meant).
    """
    out: dict[str, Any] = {}
    m = re.search(r"\bas of (\d{4}-\d{2}-\d{2})\b", text)
    if m:
        out["as_of"] = m.group(1)
        spans.take(m.start(), m.end())
        try:
            as_of = dt.date.fromisoformat(m.group(1))
        except ValueError:
            out.pop("as_of")
            out.setdefault("unreadable", []).append(m.group(1))
    m = re.search(_RELATIVE_BASE, text)
    if m:  # "compared with the previous quarter": a comparison, not a second period
        out["compare"] = "py" if "year" in m.groups() else "pp"
        spans.take(m.start(), m.end())
    hits = read_periods(text, as_of, fiscal_start_month, list(spans.taken))
    for h in hits:
        spans.take(h.start, h.end)
        if h.period is None:
            out.setdefault("unreadable", []).append(h.words)
            continue
        key = "period" if "period" not in out else "compare_period"
        if key == "compare_period" and ("compare_period" in out or period_text(h.period) == out["period"]):
            continue
        out[key] = period_text(h.period)
        out.setdefault("period_words", []).append(h.words)
        if key == "period" and h.parts:
            out["period_parts"] = [period_text(p) for p in h.parts]
    if out.get("compare_period"):
        between = text[text.find(out["period_words"][0]) : text.rfind(out["period_words"][-1])]
        if re.search(_VS, between):
            out["compare"] = "period"
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
        stem = re.escape(phrase[:-1]) + "(?:y|ies)" if phrase.endswith("y") else re.escape(phrase)
        pattern = r"(?<![a-z0-9])" + stem + r"(?:s|es)?(?![a-z0-9])"
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
