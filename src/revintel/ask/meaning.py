"""Words that change the figure must change the reading.

The intent rules read operation words (growth, budget, average, median, value, bottom ...) as grammar,
so they are never "unresolved". When no rule used one, the answer would silently be a nearby, different
question: "fee growth" answered with the fees, "the average won revenue per rep" with the total,
"the median sales" with the sum, "how far off budget" with the actuals. :func:`unused_operations` lists
each such word with what it asked for; the check stage then clarifies (never substitutes).

A question that names two different metrics ("ARR we lost to churn", "pipeline and bookings") is the
same kind of problem: :func:`competing_metrics` keeps the more specific one when one contains the other
("churned ARR" over "ARR"), and otherwise lists them so the check stage asks which was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from revintel.ask.parse import Request

#: a change between periods ("growth", "grew", "increase", "decline")
GROWTH_WORDS = (
    r"\b(?:growth|grew|grow|grown|growing|increased?|increasing|declined?|declining|decreased?|decreasing|"
    r"shrank|shrunk|shrinking|rose|risen|(?:go|goes|went|gone|going) (?:up|down))\b"
)
_BUDGET_WORDS = r"\bbudget(?:ed|s)?\b|\bplan(?:ned)?\b"
_AMOUNT_WORDS = r"\bvalue\b|\bworth\b|\bdollars?\b"
_COUNTING = r"\bhow many\b|\bnumber of\b|\bcount\b"
_ASC_WORDS = r"\bbottom\b|\bworst\b|\blowest\b|\bleast\b|\bsmallest\b|\bweakest\b|\bfewest\b"
#: results against quota: attainment, which the catalogue does not define
_AGAINST_QUOTA = (
    r"\b(?:below|above|behind|ahead|exceed(?:ed|ing|s)?|hit|hitting|missed|miss(?:ing|es)?|beat|beating|"
    r"achiev\w*|attain\w*|made|make|making)\b"
)
#: a comparison asked in so many words
_COMPARE = r"\bcompare\b|\bcomparison\b|\bversus\b|\bvs\b"
#: accounts banded by their size: not a dimension of the catalogue
_SIZE_BANDS = (
    r"\b(?:account|customer|client|company) (?:size|revenue (?:tier|band|size)|size (?:tier|band))s?\b|"
    r"\b(?:size|revenue) (?:band|bracket)s?\b"
)
#: a running total: a cumulative series
_CUMULATIVE = r"\brunning (?:total|sum|tally)s?\b|\bcumulative(?:ly)?\b|\bcumulated\b"
#: customers new in a period: not a dimension of the catalogue
_NEW_CUSTOMERS = r"\bnew (?:customers|clients|accounts|logos)\b"
#: a grain finer than the month
_FINER_GRAIN = (
    r"\b(?:weekly|daily|by week|by day|per week|per day|each week|each day|week by week|day by day)\b"
)
#: a gap to a plan ("furthest behind", "ahead of")
_BEHIND = r"\bbehind\b|\bahead\b|\bfurthest\b|\bfarthest\b|\bshort of\b"
#: a ranking: "the biggest", "top", "the most"
_RANK_WORDS = (
    r"\b(?:biggest|largest|highest|lowest|smallest|top|bottom|best|worst|most|least|fewest|strongest|"
    r"weakest)\b"
)
#: intents that read a change between periods themselves
_CHANGE_INTENTS = ("comparison", "why", "rate_volume", "trend", "route", "funnel", "budget_vs_actual")


#: counts of deals by status: after another metric they say which deals it is measured on
DEAL_STATUS_COUNTS = ("won_deals", "lost_deals", "open_deals", "closed_deals", "deal_count")


@dataclass(frozen=True)
class Unused:
    """A word that asks for an operation the reading does not perform."""

    word: str
    #: what the word asks for, in a user's terms
    asked: str
    #: questions that would answer it (shown as options)
    options: tuple[str, ...] = ()
    #: true when no reading of the catalogue answers it (abstain rather than clarify)
    impossible: bool = False


def sums(metric: Any) -> bool:
    """True when the metric is a plain sum or count (its segments add up to it)."""
    formula = (metric.formula or "").strip().lower()
    return (
        not metric.is_composite
        and "/" not in formula
        and "distinct" not in formula
        and re.match(r"^(sum|count)\(", formula) is not None
    )


def _when(req: Request) -> str:
    """ " in <period label>" of the request, or nothing."""
    parts = (req.period or "").split("|", 2)
    return f" in {parts[2]}" if len(parts) == 3 and parts[2] else ""


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def unused_operations(req: Request, catalogue: Any) -> list[Unused]:
    """Operation words of ``req`` that its reading does not use (see module docstring)."""
    if req.metric is None or req.intent in ("route", "deal_lookup", "unsupported", "clarify"):
        return []
    text = req.text or req.question.lower()
    m = catalogue.metric(req.metric)
    label = m.label
    named = (req.metric_text or "").lower()
    out: list[Unused] = []
    if (
        _has(GROWTH_WORDS, text)
        and req.intent not in _CHANGE_INTENTS
        and req.operation not in ("growth", "average_per_bucket")
        and not req.compare
    ):
        word = re.search(GROWTH_WORDS, text).group(0)  # type: ignore[union-attr]
        out.append(
            Unused(
                word,
                "a change between two periods",
                (
                    f"{label}{_when(req)} vs prior year?",
                    f"{label}{_when(req)} vs previous period?",
                    f"{label} trend{_when(req)}?",
                ),
            )
        )
    if (
        _has(_BUDGET_WORDS, text)
        and req.compare != "budget"
        and req.intent not in ("budget_vs_actual", "why", "rate_volume")
    ):
        word = re.search(_BUDGET_WORDS, text).group(0)  # type: ignore[union-attr]
        if m.budget is None:
            out.append(
                Unused(word, f"a budget for {label.lower()}, which the catalogue does not hold", (), True)
            )
        else:
            options = (f"{label}{_when(req)} vs budget?", f"Budget vs actuals{_when(req)}?")
            out.append(Unused(word, "a comparison with budget", options))
    if _has(r"\bmedian\b", text) and "median" not in m.id and "median" not in named:
        medians = [x.label for x in catalogue.metrics if x.id.startswith("median_")]
        out.append(
            Unused(
                "median", f"a median of {label.lower()}, which the catalogue does not define", tuple(medians)
            )
        )
    if (
        _has(r"\baverage\b", text)
        and "average" not in named
        and sums(m)
        and req.operation not in ("average_per_bucket", "average_per_segment")
    ):
        out.append(
            Unused(
                "average",
                f"an average of {label.lower()}, while the reading gives its total",
                (f"Average {label.lower()} per month{_when(req)}?", f"Total {label.lower()}{_when(req)}?"),
            )
        )
    if (
        m.unit == "count"
        and _has(_AMOUNT_WORDS, text)
        and not _has(_COUNTING, text)
        and not re.search(r"\bvalue\b|\bworth\b", named)
    ):
        word = re.search(_AMOUNT_WORDS, text).group(0)  # type: ignore[union-attr]
        out.append(Unused(word, f"an amount, while {label.lower()} is a count", ()))
    if req.intent == "trend" and req.dimension and not catalogue.dimension(req.dimension).time:
        dim = catalogue.dimension(req.dimension).label.lower()
        out.append(
            Unused(
                req.words.get("dimension") or dim,
                f"a trend for each {dim}, which the trend answer does not split",
                (f"{label} by {dim}{_when(req)}?", f"{label} trend{_when(req)}?"),
            )
        )
    if _has(_COMPARE, text) and req.intent in ("value", "breakdown") and not req.compare:
        word = re.search(_COMPARE, text).group(0)  # type: ignore[union-attr]
        out.append(Unused(word, "a comparison, while the reading gives one figure", ()))
    if req.intent == "comparison" and req.compare == "period" and req.dimension:
        dim = catalogue.dimension(req.dimension).label.lower()
        out.append(
            Unused(
                req.words.get("dimension") or dim,
                f"a split by {dim} of a comparison between two periods, which that comparison does not split",
                (f"{label} by {dim}{_when(req)} vs prior year?", f"{label} by {dim}{_when(req)}?"),
            )
        )
    if _has(_CUMULATIVE, text):  # "running total of fees": a cumulative series, not the period's total
        word = re.search(_CUMULATIVE, text).group(0)  # type: ignore[union-attr]
        out.append(
            Unused(
                word,
                "a cumulative (running) series, which Ask does not compute",
                (f"{label} trend{_when(req)}?", f"Total {label.lower()}{_when(req)}?"),
            )
        )
    if _has(_SIZE_BANDS, text):  # "by account size": no size bands, and not one row per account
        word = re.search(_SIZE_BANDS, text).group(0)  # type: ignore[union-attr]
        out.append(Unused(word, "size bands of accounts, which are not a dimension", (f"{label} by tier?",)))
    if _has(_NEW_CUSTOMERS, text):
        word = re.search(_NEW_CUSTOMERS, text).group(0)  # type: ignore[union-attr]
        out.append(
            Unused(word, "new customers (first purchases), which the catalogue does not mark", (), True)
        )
    if _has(_FINER_GRAIN, text):
        word = re.search(_FINER_GRAIN, text).group(0)  # type: ignore[union-attr]
        out.append(
            Unused(word, "weekly or daily figures, while Ask answers by month at the finest", (), True)
        )
    if req.metric == "quota" and _has(_AGAINST_QUOTA, text):
        word = re.search(_AGAINST_QUOTA, text).group(0)  # type: ignore[union-attr]
        out.append(
            Unused(
                word,
                "results measured against quota (attainment), which the catalogue does not define",
                (),
                True,
            )
        )
    elif (
        _has(_BEHIND, text)
        and req.compare != "budget"
        and req.intent not in ("budget_vs_actual", "why", "rate_volume")
    ):
        word = re.search(_BEHIND, text).group(0)  # type: ignore[union-attr]
        by = f" by {req.dimension.replace('_', ' ')}" if req.dimension else ""
        out.append(
            Unused(
                word,
                "a gap to budget",
                (f"{label} vs budget{by}{_when(req)}?",) if m.budget is not None else (),
                m.budget is None,
            )
        )
    free = re.sub(re.escape(named), " ", text) if named else text
    if req.intent == "value" and _has(_RANK_WORDS, free):  # "the biggest open deals": a list, not a total
        word = re.search(_RANK_WORDS, free).group(0)  # type: ignore[union-attr]
        out.append(Unused(word, f"a ranking, while the reading gives one {label.lower()} figure", ()))
    if (
        req.intent == "ranking"
        and req.order == "desc"
        and req.operation != "growth"
        and _has(_ASC_WORDS, text)
        and "cycle" not in m.id
    ):
        word = re.search(_ASC_WORDS, text).group(0)  # type: ignore[union-attr]
        out.append(Unused(word, "the lowest values first, while the reading ranks the highest", ()))
    return out


def competing_metrics(metrics: list[Any], catalogue: Any) -> tuple[Any | None, list[Any]]:
    """The metric a question means among the metric phrases it names, and any it leaves unexplained.

    One phrase: that one. Several naming one metric: that one. A count of deals by status after another
    metric qualifies it ("days to close for won deals"). A specific metric whose label contains
    a more general one's ("churned ARR" and "ARR"): the specific one. Otherwise the first, with the
    others returned so the question is clarified rather than answered for one of them.
    """
    if not metrics:
        return None, []
    if metrics[0].id not in DEAL_STATUS_COUNTS:  # "days to close for won deals": won qualifies the deals
        metrics = [metrics[0], *(p for p in metrics[1:] if p.id not in DEAL_STATUS_COUNTS)]
    ids = list(dict.fromkeys(p.id for p in metrics))
    if len(ids) == 1:
        return metrics[0], []
    labels = {i: catalogue.metric(i).label.lower() for i in ids}
    texts = {p.id: p.text.lower().rstrip("s") for p in metrics}

    def covers(i: str, j: str) -> bool:  # "churned ARR" covers "ARR"; "pipeline velocity" covers "pipeline"
        return any(re.search(rf"\b{re.escape(w)}\b", labels[i]) for w in (labels[j], texts[j]))

    specific = [i for i in ids if all(j == i or covers(i, j) for j in ids)]
    if specific:
        return next(p for p in metrics if p.id == specific[0]), []
    first = metrics[0]
    return first, [p for p in metrics if p.id != first.id]
