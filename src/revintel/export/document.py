"""The document model every export and delivery renders.

A :class:`Document` is a title plus :class:`Section` s; a section holds :class:`Item` s; an item
carries its sentence(s), the :class:`Figure` s (numbers) it is about, an optional
:class:`ChartSpec` and :class:`TableSpec`, and the :class:`Citation` s that say where every number
came from (metric definition, SQL, deal ids). Renderers (HTML, PDF, PPTX, email, Slack Block Kit,
Teams Adaptive Card) read this model and never compute numbers of their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from revintel import format as fmt_mod

Unit = Literal["currency", "percent", "count", "hours", "days", "ratio", "number"]
Tone = Literal["good", "bad", "neutral", "warning"]


def format_value(value: float | None, unit: str = "number", currency: str = "$") -> str:
    """A number as every renderer shows it (:func:`revintel.format.value`; ``–`` when missing)."""
    return fmt_mod.value(value, unit)


@dataclass
class Figure:
    """One number shown to a reader, with its unit and how it reads (good/bad)."""

    label: str
    value: float | None
    unit: str = "number"
    tone: str = "neutral"
    note: str | None = None

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit)


@dataclass
class Citation:
    """Where a number came from: a metric definition, the SQL that ran, or the deals it lists."""

    label: str
    metric: str | None = None
    definition: str | None = None
    sql: str | None = None
    deal_ids: list[str] = field(default_factory=list)
    source: str | None = None

    @property
    def key(self) -> tuple:
        """Identity by value: equal citations share one number in the sources list."""
        return (self.label, self.metric, self.sql, tuple(self.deal_ids), self.source)

    def summary(self) -> str:
        parts = [self.label]
        if self.definition:
            parts.append(f"definition: {self.definition}")
        if self.deal_ids:
            parts.append(
                "deals: " + ", ".join(self.deal_ids[:12]) + (" ..." if len(self.deal_ids) > 12 else "")
            )
        if self.source:
            parts.append(f"source: {self.source}")
        return "; ".join(parts)


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class ChartSpec:
    """A chart as data: kind, categories and series. ``range`` kind = P10/P50/P90 bars."""

    kind: str  # bar | column | line | range
    title: str
    categories: list[str]
    series: list[Series]
    unit: str = "number"

    def is_empty(self) -> bool:
        return not self.categories or all(all(v is None for v in s.values) for s in self.series)


@dataclass
class TableSpec:
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Item:
    """One idea: a sentence, its numbers, an optional chart/table, and its sources."""

    title: str
    text: str
    figures: list[Figure] = field(default_factory=list)
    chart: ChartSpec | None = None
    table: TableSpec | None = None
    citations: list[Citation] = field(default_factory=list)
    tone: str = "neutral"


@dataclass
class Section:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)
    summary: str | None = None
    note: str | None = None  # e.g. "no conversation data loaded"


@dataclass
class Document:
    """A brief, a dashboard, a drill-down, an answer, a risk list or a forecast, ready to render."""

    kind: str
    title: str
    subtitle: str = ""
    persona: str | None = None
    scope: str = "all rows"
    as_of: dt.date | None = None
    generated_at: dt.datetime | None = None
    headline: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    link: str | None = None
    polished_by: str | None = None

    def is_empty(self) -> bool:
        return not self.headline and not any(s.items for s in self.sections)

    def citations(self) -> list[Citation]:
        """Every citation once, in reading order."""
        seen: set[tuple] = set()
        out: list[Citation] = []
        for s in self.sections:
            for it in s.items:
                for c in it.citations:
                    if c.key not in seen:
                        seen.add(c.key)
                        out.append(c)
        return out

    def figures(self) -> list[Figure]:
        out = list(self.headline)
        for s in self.sections:
            for it in s.items:
                out.extend(it.figures)
        return out

    def texts(self) -> list[str]:
        """Every prose string, for the number check of an LLM polish."""
        out = [s.summary for s in self.sections if s.summary]
        for s in self.sections:
            out.extend(it.text for it in s.items)
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        d["generated_at"] = self.generated_at.isoformat() if self.generated_at else None
        for f, fd in zip(self.figures(), _figure_dicts(d), strict=False):
            fd["text"] = f.text
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        sections = [_section(s) for s in d.get("sections", [])]
        return cls(
            kind=d["kind"],
            title=d["title"],
            subtitle=d.get("subtitle", ""),
            persona=d.get("persona"),
            scope=d.get("scope", "all rows"),
            as_of=dt.date.fromisoformat(d["as_of"]) if d.get("as_of") else None,
            generated_at=dt.datetime.fromisoformat(d["generated_at"]) if d.get("generated_at") else None,
            headline=[_figure(f) for f in d.get("headline", [])],
            sections=sections,
            link=d.get("link"),
            polished_by=d.get("polished_by"),
        )


def _figure_dicts(d: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(d["headline"])
    for s in d["sections"]:
        for it in s["items"]:
            out.extend(it["figures"])
    return out


def _figure(f: dict[str, Any]) -> Figure:
    return Figure(
        f["label"], f.get("value"), f.get("unit", "number"), f.get("tone", "neutral"), f.get("note")
    )


def _section(s: dict[str, Any]) -> Section:
    items = []
    for it in s.get("items", []):
        ch = it.get("chart")
        chart = (
            ChartSpec(
                ch["kind"],
                ch["title"],
                list(ch["categories"]),
                [Series(x["name"], list(x["values"])) for x in ch["series"]],
                ch.get("unit", "number"),
            )
            if ch
            else None
        )
        tb = it.get("table")
        items.append(
            Item(
                title=it["title"],
                text=it["text"],
                figures=[_figure(f) for f in it.get("figures", [])],
                chart=chart,
                table=TableSpec(list(tb["columns"]), [list(r) for r in tb["rows"]]) if tb else None,
                citations=[Citation(**c) for c in it.get("citations", [])],
                tone=it.get("tone", "neutral"),
            )
        )
    return Section(s["id"], s["title"], items, s.get("summary"), s.get("note"))
