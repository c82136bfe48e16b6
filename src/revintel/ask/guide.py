"""The question guide: how to ask for each metric a caller can query, as Markdown or PDF.

Built from the metric catalogue (labels, synonyms, definitions, dimensions) and the Ask eval's test
questions (``ask/questions/test/*.yaml``: a question is an example of the metric whose label or
synonym it names, the longest phrase winning). The SQL of each entry is compiled by the semantic
layer under the caller's scope, as an Ask answer shows it. Only the metrics of the caller's domains
are listed: a role gets the guide of what it can ask.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from revintel.errors import RevintelError

if TYPE_CHECKING:
    from revintel.runtime import Runtime
    from revintel.scope import Scope
    from revintel.semantic.model import Metric

TEST_QUESTIONS = Path(__file__).parent / "questions" / "test"
EXAMPLES = 4
UNIT_WORDS = {
    "currency": "an amount of money",
    "hours": "a number of hours",
    "days": "a number of days",
    "percent": "a percentage",
    "count": "a count",
    "ratio": "a ratio",
    "currency_per_day": "money per day",
    "currency_per_hour": "money per hour",
}
TIME_WORDS = {
    "flow": "rows dated in the period (by `{date}`)",
    "snapshot": "what is open or live at the end of the period",
    "last": "the last month of the period",
    "rolling": "the months ending with the period",
}


@dataclass
class GuideEntry:
    """One metric of the guide."""

    id: str
    label: str
    description: str
    domain: str
    say: list[str]
    examples: list[str]
    shows: str
    breakdowns: list[str]
    sql: str | None
    formula: str


@dataclass
class Guide:
    """The guide for one caller: entries grouped by domain, the scope and the data it was built on."""

    title: str
    scope: str
    dataset: str
    as_of: dt.date
    period: str
    entries: list[GuideEntry] = field(default_factory=list)


def eval_test_questions(dataset: str | None) -> list[str]:
    """The eval's test-split questions that expect an answer (for ``dataset``, or every dataset)."""
    out: list[str] = []
    for path in sorted(TEST_QUESTIONS.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if dataset and item.get("dataset") not in (dataset, None):
                continue
            if item.get("expect", "answer") == "answer" and isinstance(item.get("question"), str):
                out.append(item["question"])
    return out


def _phrases(m: Metric) -> list[str]:
    return sorted({m.label.lower(), *(s.lower() for s in m.synonyms)}, key=len, reverse=True)


def _examples_by_metric(metrics: list[Metric], questions: list[str]) -> dict[str, list[str]]:
    """Each question under the metric whose label or synonym it names.

    The longest phrase wins, then the later one (the head of an English noun phrase comes last:
    "sales quota" is a quota). A one-word phrase that is part of another metric's phrase ("revenue"
    in "won revenue") is too ambiguous to place a question by.
    """
    phrases = [(p, m.id) for m in metrics for p in _phrases(m)]
    longer = [p for p, _ in phrases if " " in p]
    index = [
        (p, mid)
        for p, mid in phrases
        if " " in p or not any(re.search(rf"\b{re.escape(p)}\b", o) for o in longer if o != p)
    ]
    out: dict[str, list[str]] = {}
    for q in questions:
        text = q.lower()
        hits = [
            (len(p), m.start(), mid)
            for p, mid in index
            if (m := re.search(rf"\b{re.escape(p)}\b", text)) is not None
        ]
        if hits:
            out.setdefault(max(hits)[2], []).append(q)
    return out


def _period(as_of: dt.date) -> str:
    """The last complete calendar year (the example period)."""
    return str(as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1)


def _lower(label: str) -> str:
    """A label inside a sentence: "Won revenue" -> "won revenue", "ARR" stays."""
    first = label.split()[0]
    return label if first.isupper() or first[1:] != first[1:].lower() else label[0].lower() + label[1:]


def _generated(m: Metric, period: str, dims: list[str]) -> list[str]:
    out = [f"What was {_lower(m.label)} in {period}?"]
    if dims:
        out.append(f"{m.label} by {dims[0].lower()} in {period}")
    out.append(f"{m.label} by month in {period}")
    if m.budget:
        out.append(f"{m.label} vs budget in {period}")
    return out


def _sql(rt: Runtime, metric: str, period: str, scope: Scope) -> str | None:
    from revintel.semantic import MetricQuery
    from revintel.semantic.plan import compile_query

    try:
        return compile_query(rt.semantic, MetricQuery(metrics=[metric], period=period), scope).sql
    except RevintelError:
        return None


def build_guide(rt: Runtime, scope: Scope) -> Guide:
    """The guide of every metric ``scope``'s domains allow, with SQL compiled under ``scope``."""
    cat = rt.catalogue
    as_of = rt.semantic.as_of()
    dataset = rt.warehouse.get_meta().get("dataset", "")
    period = _period(as_of)
    metrics = [m for m in cat.metrics if m.domain in scope.domains]
    found = _examples_by_metric(
        metrics, eval_test_questions(dataset if dataset in ("demo", "maven") else None)
    )
    guide = Guide("Ask revintel: a question guide", scope.describe(), dataset or "none", as_of, period)
    for m in sorted(metrics, key=lambda m: (m.domain, m.label)):
        dims = [cat.dimension(d).label for d in m.dimensions if not cat.dimension(d).time]
        examples = (found.get(m.id, [])[:EXAMPLES] + _generated(m, period, dims))[: EXAMPLES + 2]
        rule = TIME_WORDS.get(m.time.kind, m.time.kind).format(date=m.date or "")
        shows = (
            f"{UNIT_WORDS.get(m.unit, m.unit).capitalize()} over {rule}"
            + (", against budget when asked" if m.budget else "")
            + "; with its definition, the filters and scope applied, and the SQL run."
        )
        guide.entries.append(
            GuideEntry(
                id=m.id,
                label=m.label,
                description=m.description,
                domain=m.domain,
                say=[m.label, *m.synonyms],
                examples=list(dict.fromkeys(examples)),
                shows=shows,
                breakdowns=dims,
                sql=_sql(rt, m.id, period, scope),
                formula=m.compose or (m.formula or "") + (f" WHERE {m.where}" if m.where else ""),
            )
        )
    return guide


INTRO = (
    "Ask a question in your own words: a metric, optionally a breakdown (by region, by rep ...), a "
    "period (2025, Q3 2025, H1, last 90 days, since March ...) and a comparison (vs budget, vs last "
    "year). Ask shows how it read the question and the SQL behind every number; when it cannot read "
    "part of a question it asks you which one you meant, or says why it cannot answer, rather than "
    "answer a different question. Every answer is limited to your scope."
)


def to_markdown(g: Guide) -> str:
    """The guide as Markdown."""
    lines = [
        f"# {g.title}",
        "",
        f"Scope: {g.scope}. Data: {g.dataset}, as of {g.as_of.isoformat()}.",
        "",
        INTRO,
    ]
    domain = None
    for e in g.entries:
        if e.domain != domain:
            domain = e.domain
            lines += ["", f"## {domain.capitalize()}"]
        lines += ["", f"### {e.label}", "", e.description, ""]
        lines.append("**How to ask:** " + ", ".join(f"“{s}”" for s in e.say))
        if e.breakdowns:
            lines.append("")
            lines.append("**Break it down by:** " + ", ".join(e.breakdowns))
        lines += ["", "**Example questions:**", *[f"- {q}" for q in e.examples]]
        lines += ["", f"**What the answer shows:** {e.shows}", "", f"**Definition:** `{e.formula}`"]
        if e.sql:
            lines += [
                "",
                f"**The SQL behind it** ({g.period}, your scope):",
                "",
                "```sql",
                e.sql.strip(),
                "```",
            ]
    return "\n".join(lines) + "\n"


def to_document(g: Guide) -> Any:
    """The guide as an export :class:`~revintel.export.document.Document` (for the PDF renderer)."""
    from revintel.export.document import Citation, Document, Item, Section

    sections: dict[str, Section] = {}
    for e in g.entries:
        sec = sections.setdefault(e.domain, Section(e.domain, e.domain.capitalize()))
        text = (
            f"{e.description} How to ask: {', '.join(e.say)}."
            + (f" Break it down by: {', '.join(e.breakdowns)}." if e.breakdowns else "")
            + " Examples: " + " / ".join(e.examples) + f". What the answer shows: {e.shows}"
        )  # fmt: skip
        cite = Citation(e.label, metric=e.id, definition=e.formula, sql=e.sql)
        sec.items.append(Item(e.label, text, citations=[cite]))
    return Document(
        kind="ask guide",
        title=g.title,
        subtitle=f"How to ask for each metric, with examples and the SQL behind it. Data: {g.dataset}.",
        scope=g.scope,
        as_of=g.as_of,
        generated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        sections=[Section("intro", "How to ask", [Item("Asking", INTRO)]), *sections.values()],
    )


def check_format(fmt: str) -> None:
    """Refuse a guide format other than ``md`` or ``pdf``."""
    from revintel.errors import InvalidRequest

    if fmt not in ("md", "pdf"):
        raise InvalidRequest(
            f"unknown guide format {fmt!r}",
            details={"field": "format", "value": fmt, "expected": "md or pdf"},
        )


def render(g: Guide, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the guide as ``md`` or ``pdf``."""
    check_format(fmt)
    if fmt == "md":
        return to_markdown(g).encode("utf-8"), "text/markdown; charset=utf-8", "revintel-question-guide.md"
    from revintel.export.pdf import render_pdf

    return render_pdf(to_document(g)), "application/pdf", "revintel-question-guide.pdf"
