"""The check stage: answer, clarify or abstain, and how sure the engine is.

After a question is read (:func:`~revintel.ask.intents.understand`) and completed from the
conversation, :func:`check` decides whether it may be answered:

* a concept the catalogue does not define ("profit", "CAC") -> abstain, naming it;
* a time phrase the period grammar cannot place exactly ("last summer", "Q5") -> clarify which
  period (never a wider or narrower one);
* no metric, or a follow-up whose own words name no metric the engine knows -> clarify with the
  nearest metrics (never the previous question's metric reused silently);
* a metric or dimension the loaded data does not hold -> abstain with that true reason
  ("revenue" first resolves to a revenue metric the data has).

:func:`confidence` turns the evidence of the parse into a number: fuzzy matches, unresolved words,
inherited slots and defaults each lower it. ``revintel eval`` reports how it is calibrated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from revintel.ask.meaning import unused_operations
from revintel.ask.parse import Request

#: intents that need no metric of their own
NO_METRIC = ("budget_vs_actual", "funnel", "deal_lookup", "route")
#: a generic word the data decides: the first metric of the list the loaded data holds
GENERIC = {
    "revenue": ("fees", "won_revenue", "arr"),
    "sales": ("won_revenue", "fees"),
    "net revenue": ("fees", "won_revenue"),
}
BASE_CONFIDENCE = {
    "value": 0.92,
    "trend": 0.9,
    "breakdown": 0.9,
    "ranking": 0.9,
    "comparison": 0.88,
    "share": 0.88,
    "why": 0.8,
    "rate_volume": 0.8,
    "budget_vs_actual": 0.88,
    "funnel": 0.9,
    "deal_lookup": 0.85,
    "route": 0.9,
}


#: SQL statements or injection fragments inside a question
_SQL = (
    r"\b(?:drop|truncate|alter)\s+table\b|\bselect\b.+\bfrom\b|\binsert\s+into\b|\bdelete\s+from\b|"
    r"\bunion\s+(?:all\s+)?select\b|\bupdate\s+\w+\s+set\b|;\s*--|'\s*;|\bor\s+1\s*=\s*1\b"
)


@dataclass
class Verdict:
    """What the check decided: ``answer``, ``clarify`` (with options) or ``abstain`` (with a reason)."""

    action: str = "answer"
    reason: str = ""
    question: str = ""
    options: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the words of the question the options replace
    words: list[str] = field(default_factory=list)


def has_data(metric: Any, counts: dict[str, int], catalogue: Any = None) -> bool:
    """True when the metric's table holds rows (composites: when every metric they use does)."""
    if metric.compose and catalogue is not None:
        parts = [m for m in catalogue.metrics if re.search(rf"\b{re.escape(m.id)}\b", metric.compose)]
        return all(has_data(p, counts, catalogue) for p in parts)
    if metric.table is None:
        return True
    return bool(counts.get(metric.table))


def resolve_data(req: Request, catalogue: Any, counts: dict[str, int]) -> list[str]:
    """Point a generic metric word at a metric the loaded data holds ("revenue" on maven: won revenue)."""
    notes: list[str] = []
    if req.metric is None:
        return notes
    word = (req.metric_text or "").strip().lower().rstrip("s")
    current = catalogue.metric(req.metric)
    if has_data(current, counts, catalogue):
        return notes
    for alt in GENERIC.get(word, ()):
        m = next((x for x in catalogue.metrics if x.id == alt), None)
        if m is not None and has_data(m, counts, catalogue):
            req.rewrites.append({"asked": word, "read": m.label.lower(), "kind": "data", "score": 100.0})
            notes.append(
                f'"{word}" read as {m.label.lower()}: the loaded data has no {current.label.lower()}.'
            )
            req.metric = alt
            return notes
    return notes


def nearest_metrics(
    words: list[str], catalogue: Any, domains: Any, counts: dict[str, int], n: int = 4
) -> list[str]:
    """Metric labels closest to ``words`` (rapidfuzz over labels and synonyms), only metrics with data."""
    names: dict[str, str] = {}
    for m in catalogue.metrics:
        if domains is not None and m.domain not in domains:
            continue
        if not has_data(m, counts, catalogue):
            continue
        for s in (m.label, *m.synonyms):
            names.setdefault(s.lower(), m.label)
    if not names:
        return []
    query = " ".join(words)
    scored = process.extract(query, list(names), scorer=fuzz.WRatio, limit=n * 4)
    out: list[str] = []
    for name, _score, _ in scored:
        label = names[name]
        if label not in out:
            out.append(label)
        if len(out) >= n:
            break
    return out


def period_words(req: Request) -> str:
    """ " in <the request's period label>", or nothing."""
    parts = (req.period or "").split("|", 2)
    return f" in {parts[2]}" if len(parts) == 3 and parts[2] else ""


def period_options(as_of: dt.date) -> list[str]:
    """Exact periods to offer when a time phrase cannot be read."""
    q = (as_of.month - 1) // 3 + 1
    return [
        f"Q{q} {as_of.year}",
        f"H{1 if as_of.month <= 6 else 2} {as_of.year}",
        str(as_of.year),
        "last 90 days",
    ]


def check(
    req: Request,
    catalogue: Any,
    counts: dict[str, int],
    values: dict[str, list[str]],
    as_of: dt.date,
    domains: Any = None,
) -> Verdict:
    """Answer, clarify or abstain for ``req`` (see module docstring)."""
    if re.search(_SQL, req.question, re.I):
        return Verdict(
            "abstain", "the question contains SQL; ask in plain English (governed SQL: revintel sql)"
        )
    if req.intent == "unsupported":
        return Verdict(
            "abstain",
            "the question is outside revenue analytics"
            if not req.unsupported
            else f"{', '.join(req.unsupported)} is not something revintel measures",
        )
    if req.blocked:
        return Verdict("abstain", req.blocked[0])
    if req.unsupported and not _explained(req):
        names = ", ".join(req.unsupported)
        return Verdict("abstain", f"{names} is not a governed metric in the catalogue")
    if req.unreadable_period:
        words = ", ".join(f"'{w}'" for w in req.unreadable_period)
        return Verdict(
            "clarify",
            f"the period {words} cannot be read exactly",
            f"Which period do you mean by {words}?",
            period_options(as_of),
            words=list(req.unreadable_period),
        )
    if (req.intent == "budget_vs_actual" or req.compare == "budget") and not counts.get("budgets"):
        return Verdict("abstain", "no budgets are loaded, so nothing can be compared with budget")
    if req.intent in NO_METRIC:
        return Verdict()
    if (
        req.metric is None
        and re.search(r"\bdeals?\b", req.text)
        and re.search(r"\bclos(?:e|es|ed|ing)\b", req.text)
    ):
        parts = [", ".join(v) for v in req.filters.values() if v]
        where = f" for {' / '.join(parts)}" if parts else ""
        when = period_words(req)
        return Verdict(
            "clarify",
            "'close' can mean deals won or deals closed either way (won or lost)",
            "Do you mean won deals, or all closed (won or lost) deals?",
            [f"How many deals did we win{where}{when}?", f"How many deals were won or lost{where}{when}?"],
            words=["close"],
        )
    if req.metric is None:
        options = nearest_metrics(req.unresolved or [req.question], catalogue, domains, counts)
        if req.unresolved and options:
            words = " ".join(req.unresolved)
            return Verdict(
                "clarify",
                f'no governed metric matches "{words}"',
                f'Which figure do you mean by "{words}"?',
                options,
                words=list(req.unresolved),
            )
        return Verdict("abstain", "no governed metric matches the question")
    if "metric" in req.inherited and req.unresolved:
        words = " ".join(req.unresolved)
        options = nearest_metrics(req.unresolved, catalogue, domains, counts)
        prev = catalogue.metric(req.metric).label
        return Verdict(
            "clarify",
            f'"{words}" is not a metric I know, and I will not assume you still mean {prev.lower()}',
            f'Which figure do you mean by "{words}"?',
            [prev, *[o for o in options if o != prev]][:4],
            words=list(req.unresolved),
        )
    sliced = _unknown_slice(req)
    if sliced:
        return Verdict(
            "abstain",
            f'"{sliced}" is not a dimension or a value in the loaded data, '
            "so the answer cannot be limited to it",
        )
    if re.search(_THRESHOLD, req.text or ""):
        return Verdict("abstain", "filters on amounts or counts (over / under a number) are not supported")
    m = catalogue.metric(req.metric)
    if not has_data(m, counts, catalogue):
        return Verdict("abstain", f"the loaded data has no {m.label.lower()} (its source table is empty)")
    for dim in [req.dimension, *req.filters]:
        if dim and dim not in m.dimensions and not catalogue.dimension(dim).time:
            label = catalogue.dimension(dim).label.lower()
            return Verdict("abstain", f"{m.label} cannot be broken down or filtered by {label}")
    verdict = _unused(req, catalogue, m)
    if verdict is not None:
        return verdict
    if (
        req.intent == "share"
        and not req.dimension
        and not req.filters
        and req.metric not in ("won_deals", "lost_deals", "open_deals", "closed_deals")
    ):
        dims = [catalogue.dimension(d).label.lower() for d in m.dimensions if values.get(d)][:4]
        return Verdict(
            "clarify",
            f"the question does not say which part of {m.label.lower()} to take the share of",
            f"A share of {m.label.lower()} by what?",
            [f"{m.label} share by {d}" for d in dims],
        )
    if req.intent == "ranking" and not req.dimension:  # "the highest win rate": of which segments?
        dims = [catalogue.dimension(d).label.lower() for d in m.dimensions if values.get(d)][:4]
        return Verdict(
            "clarify",
            f"the question does not say what to rank by {m.label.lower()}",
            f"Rank {m.label.lower()} by what?",
            [
                f"Which {d} has the {'lowest' if req.order == 'asc' else 'highest'} {m.label.lower()}?"
                for d in dims
            ],
        )
    if req.dimension and req.dimension in _SOURCED and not values.get(req.dimension):
        label = catalogue.dimension(req.dimension).label.lower()
        return Verdict("abstain", f"the loaded data has no {label} values to break {m.label.lower()} down by")
    if req.unresolved:  # any content word not understood: ask, never answer a nearby question
        words = ", ".join(f"'{w}'" for w in req.unresolved)
        return Verdict(
            "clarify",
            f"{words} {'was' if len(req.unresolved) == 1 else 'were'} not understood, and answering "
            f"without {'it' if len(req.unresolved) == 1 else 'them'} could answer a different question",
            f"Do you mean {m.label.lower()}, without {words}, or another figure?",
            [
                m.label,
                *[o for o in nearest_metrics(req.unresolved, catalogue, domains, counts) if o != m.label],
            ][:4],
            words=list(req.unresolved),
        )
    return Verdict()


def _unused(req: Request, catalogue: Any, m: Any) -> Verdict | None:
    """Clarify (or abstain) when the question names a second metric or an operation the reading drops."""
    if req.also_named and req.intent not in ("rate_volume", "why"):
        labels = [m.label, *(catalogue.metric(i).label for i in req.also_named)]
        names = " and ".join(lbl.lower() for lbl in labels)
        return Verdict(
            "clarify",
            f"the question names {names}; answering for one of them could answer a different question",
            "Which figure do you mean?",
            labels[:4],
            words=[req.metric_text or m.label.lower()],
        )
    if req.also_by and req.intent in ("breakdown", "ranking", "share", "comparison"):
        by = [catalogue.dimension(d).label.lower() for d in [req.dimension or "", *req.also_by] if d]
        return Verdict(
            "clarify",
            f"the question splits by {' and '.join(by)}; answers split by one dimension at a time",
            "Split by which?",
            [f"{m.label} by {d}?" for d in by],
            words=[],
        )
    unused = unused_operations(req, catalogue)
    if not unused:
        return None
    first = unused[0]
    if first.impossible:
        return Verdict("abstain", f'"{first.word}" asks for {first.asked}')
    return Verdict(
        "clarify",
        f'"{first.word}" asks for {first.asked}; answering without it would answer a different question',
        f'What do you mean by "{first.word}"?',
        list(first.options) or [m.label],
        words=[first.word],
    )


#: dimensions whose values come from the data (see :data:`revintel.ask.entities.DIMENSION_SOURCES`)
_SOURCED = (
    "region", "capability", "rep", "team", "manager", "product", "product_series", "account", "tier",
    "sector", "stage", "deal_type", "lead_source", "competitor", "channel", "campaign",
)  # fmt: skip


#: a numeric threshold: "deals over $5,000", "more than 10 deals"
_THRESHOLD = (
    r"\b(?:over|above|greater than|more than|larger than|bigger than|under|below|less than|smaller than|"
    r"at least|at most|exceeding)\s+\$?(?!(?:19|20)\d{2}\b)\d"
)


def _unknown_slice(req: Request) -> str | None:
    """A slice the data does not have: a word not understood after by / per / across ("by country"),
    or a capitalised name not understood after in / for / from / at ("in Germany", "for John Smith")."""
    text = req.text or ""
    for w in req.unresolved:
        word = re.escape(w)
        if re.search(rf"\b(?:by|per|across|for each) (?:the |each |every )?{word}\b", text):
            return w
        named = re.search(rf"(?<!^)\b{word}\b", req.question, re.I)
        after = re.search(rf"\b(?:for|in|from|at|with) (?:the )?{word}\b", text)
        if named and after and named.group(0)[:1].isupper():
            return w
    return None


def _explained(req: Request) -> bool:
    """True when every unsupported concept word is part of a metric phrase the question names."""
    text = (req.metric_text or "").lower()
    return bool(text) and all(re.search(rf"\b{re.escape(c.split()[0])}", text) for c in req.unsupported)


def confidence(req: Request) -> float:
    """How sure the reading is: the intent's base, lowered by every piece of weak evidence."""
    c = BASE_CONFIDENCE.get(req.intent, 0.8)
    for r in req.rewrites:
        if r.get("kind") == "fuzzy":
            c -= 0.05 + (100.0 - float(r.get("score", 100.0))) / 200.0
    c -= 0.12 * len(req.unresolved)
    if "metric" in req.inherited:
        c -= 0.05
    if req.followup:
        c -= 0.03
    return round(max(0.05, min(c, 0.97)), 2)
