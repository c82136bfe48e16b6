"""From a question to a :class:`~revintel.ask.parse.Request`: which intent, metric, slice and time.

:func:`understand` runs the readers of :mod:`revintel.ask.parse` (time, phrases, data values) and
decides the intent from the question's wording. It is deterministic and offline.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise
from typing import Any

from revintel.ask.entities import Vocabulary
from revintel.ask.meaning import GROWTH_WORDS, competing_metrics, sums
from revintel.ask.parse import Request, Spans, find_entities, find_phrases, parse_time, phrase_index
from revintel.ask.periods import period_text, read_periods
from revintel.ask.vocab import FUNCTION_WORDS, UNSUPPORTED_CONCEPTS, load_words, normalise, read_words

_WHY = (
    r"\bwhy\b|what (?:drove|caused|explains|is driving|was driving)|\bexplain\b|reasons? for|root cause|"
    r"what happened|\bdrivers?\b"
)
_RATE_VOLUME = (
    r"\brate (?:vs\.?|versus|or|and) volume\b|\bvolume (?:vs\.?|versus|or|and) (?:rate|price)\b|"
    r"\bprice[- /](?:volume|vol)\b|\bprice (?:vs\.?|versus|or|and) volume\b|\bpvm\b|rate[- /]volume"
)
_BUDGET = r"\bbudget\b|\bplan\b|\btarget\b"
_BVA = (
    r"budget (?:vs\.?|versus|against|and|to) actuals?|"
    r"actuals? (?:vs\.?|versus|against|and|to) (?:the )?budget|"
    r"(?:vs\.?|versus|against|to|over|under|above|below|compared (?:to|with)) (?:the )?(?:budget|plan)\b|"
    r"\bbudget (?:gap|variance)\b|\bvariance (?:vs\.?|against|from) (?:the )?budget\b|"
    r"\bbva\b|\bvariance to budget\b|\bon budget\b|\bbehind budget\b|\bahead of budget\b|"
    r"\boff (?:the )?(?:budget|plan)\b|"
    r"\b(?:short of|missed?|beat|beating|exceed(?:ed)?) (?:the |our )?budget\b|"
    r"\b(?:higher|lower|more|less|greater|bigger|smaller) than (?:the |our )?(?:budget|plan)(?:ned)?\b"
)
_CONTRIB = (
    r"contribut|\bshare of\b|% of\b|percent(?:age)? of\b|\bproportion\b|\bwhat fraction\b|\bsplit of\b|"
    r"\bwhat (?:share|percentage|percent)\b|\bshare (?:came|comes|come|coming|is|was|were|did|does|do)\b"
)
_GAP = r"\bgap\b|\bshortfall\b|\bmiss\b|\bvariance\b"
_FUNNEL = r"\bfunnel\b|\bby stage\b|\bper stage\b|\beach stage\b|\bstages?\b"
_DEAL = r"\b(?:deal|opportunity|opp)\b"
_RANK = (
    r"\btop\b|\bbottom\b|\bbest\b|\bworst\b|\bhighest\b|\blowest\b|\bmost\b|\bleast\b|\brank|\bleader|"
    r"\bbiggest\b|\blargest\b|\bsmallest\b|\bstrongest\b|\bweakest\b|\bleading\b|\blagging\b|"
    r"\bfewest\b|\bmaximum\b|\bminimum\b|\bfastest\b|\bslowest\b|\bunderperform|\boutperform|\blaggards?\b|"
    r"\blongest\b|\bshortest\b|\bquickest\b"
)
_ASC = (
    r"\bbottom\b|\bworst\b|\blowest\b|\bleast\b|\bsmallest\b|\bweakest\b|\blagging\b|\bfewest\b|"
    r"\bminimum\b|\bunderperform|\blaggards?\b|\bslowest\b|\bshortest\b|\bquickest\b"
)
_TREND = (
    r"\btrend|\bover time\b|\bhistory\b|\btrajectory\b|month by month|\bmonthly\b|\bquarterly\b|"
    r"\bover the (?:last|past)\b|\bevolv|\bhow (?:did|has|have|does|do) [a-z ]+? mov(?:e|ed)\b"
)
_PY = (
    r"\byoy\b|year[- ]over[- ]year|"
    r"(?:vs\.?|versus|compared (?:to|with)|against|than) (?:the )?(?:prior|previous|"
    r"last|same period last) year|\bprior year\b|\bsame period last year\b|\blast year's\b"
)
_PP = (
    r"\bqoq\b|\bmom\b|quarter[- ]over[- ]quarter|month[- ]over[- ]month|(?:vs\.?|versus|compared (?:to|with)|"
    r"against|than) (?:the )?(?:prior|previous|last) (?:period|quarter|month)|"
    r"\bprior period\b|\bprevious period\b"
)
_SEGMENT_VS = (
    r"\bvs\.?\b|\bversus\b|\bcompared? (?:to|with)\b|\bcompare\b|\bagainst\b|\bor\b|\bdifference\b|"
    r"\bdiffer\b|\bgap between\b|\b(?:bigger|larger|higher|greater|smaller|lower|more|less) than\b"
)
_OFF_TOPIC = r"\b(?:write|poem|story|joke|song|essay|limerick|haiku|translate|recipe|weather|stock price)\b"
_WIDEN = (
    r"\ball (?:regions|capabilities|teams|reps)\b|\beverything\b|\beveryone\b|\bglobal(?:ly)?\b|"
    r"\bcompany[- ]wide\b|\bwhole company\b|\bignore (?:your|the|my|all|previous)\b|\bdrop the filter\b|"
    r"\bremove the filter\b|\bwithout (?:the )?filter\b|\bunfiltered\b|\bevery region\b"
)
#: "three", "ten": the N of a ranking written as a word
_NUMBERS = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
NUMBER_WORDS = {w: i + 2 for i, w in enumerate(f"{_NUMBERS} seventeen eighteen nineteen twenty".split(" "))}
_N = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
_TOP_N = (
    r"\b(?:top|bottom|best|worst|first|last)\s+" + _N + r"\b(?! (?:days|weeks|months|quarters|years)\b)|"
    r"\b(?:which|what|the|our|list|show)\s+" + _N + r"\s+(?!(?:days|weeks|months|quarters|years)\b)[a-z]|"
    r"\b" + _N + r"\s+(?:best|worst|top|bottom|biggest|largest|highest|lowest|strongest|weakest|smallest|"
    r"leading|lagging|most|least|fewest)\b"
)
#: dimensions tried first when a ranking names none ("who sold the most")
_WHO = r"\bwho\b|\bwhich (?:rep|seller|agent|salesperson|person)\b"
#: rate-vs-volume pairs: total metric -> (volume metric, rate metric)
RATE_VOLUME_PAIRS = {
    "fees": ("chargeable_hours", "rate_per_hour"),
    "won_revenue": ("won_deals", "avg_deal_size"),
}
_RATE_METRIC_OF = {
    "rate_per_hour": "fees",
    "chargeable_hours": "fees",
    "avg_deal_size": "won_revenue",
    "won_deals": "won_revenue",
}


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


def understand(
    question: str, catalogue: Any, vocab: Vocabulary, as_of: dt.date, fiscal_start_month: int = 1
) -> Request:
    """Read ``question`` into a request (metric None when no metric is named: the engine abstains).

    Stages: :func:`~revintel.ask.vocab.read_words` (jargon, misspellings), the period grammar, the
    catalogue's phrases, the data's values, then the intent and operation from the wording. What
    no stage explains is kept in ``unresolved`` (the check stage lowers confidence or clarifies).
    """
    text, rewrites = read_words(normalise(question), catalogue, vocab.words)
    spans = Spans()
    req = Request(question=question, rewrites=[r.to_dict() for r in rewrites], text=text)
    time = parse_time(text, as_of, spans, fiscal_start_month)
    req.period = time.get("period")
    req.compare_period = time.get("compare_period")
    req.as_of = time.get("as_of")
    req.grain = time.get("grain")
    req.unreadable_period = list(time.get("unreadable", []))
    req.period_parts = list(time.get("period_parts", []))
    if time.get("period_words"):
        req.words["period"] = " / ".join(time["period_words"])
    phrases = find_phrases(text, phrase_index(catalogue), spans)
    metrics = [p for p in phrases if p.kind == "metric"]
    dims = [p for p in phrases if p.kind == "dimension" and not catalogue.dimension(p.id).time]
    time_dims = [p for p in phrases if p.kind == "dimension" and catalogue.dimension(p.id).time]
    if time_dims and not req.grain:
        req.grain = time_dims[0].id
    metrics = _release_values(metrics, vocab, spans)
    chosen, others = competing_metrics(_drop_generic(metrics, text), catalogue)
    if chosen is not None:
        req.metric = chosen.id
        req.metric_text = chosen.text
        req.words["metric"] = chosen.text
        req.also_named = list(dict.fromkeys(p.id for p in others))
    req.metric = _refine_metric(req.metric, text, catalogue)
    if _has(_OFF_TOPIC, text):
        req.metric, req.intent = None, "unsupported"
        return req
    entities = find_entities(text, vocab, spans)
    excluded = _excluded(entities, text, spans)
    for e in entities:
        if (
            e.dimension in ("stage",)
            and _has(_FUNNEL, text)
            and not _has(r"\bhow many\b|\bnumber of\b", text)
            and not _has(rf"\b{re.escape(e.text.lower())} (?:stage|phase)\b", text)
        ):
            continue
        vals = req.filters.setdefault(e.dimension, [])
        if e.value not in vals:
            vals.append(e.value)
        req.words[f"filter:{e.dimension}"] = " / ".join(
            filter(None, [req.words.get(f"filter:{e.dimension}"), e.text])
        )
        if not e.exact:
            req.rewrites.append({"asked": e.text, "read": e.value, "kind": "fuzzy", "score": 85.0})
    req.metric = _metric_from_filters(req, text)
    dims = _counted(req, text, dims)
    _status_conflict(req, text)
    if req.metric == "closed_deals" and _has(_CONTRIB, text):  # "% of closed deals that were won/lost"
        if _has(r"\bw[oi]n\b|\bwon\b", text):
            req.metric = "win_rate"
        elif _has(r"\blos[te]\b", text):
            req.metric = "lost_deals"
    dims = _qualifiers(req, dims, entities, text, vocab)
    _exclude(req, excluded, vocab)
    dims = _any_competitor(req, dims, text, vocab)
    dims = _owned_nouns(dims, text)
    dims = [d for d in dims if d.id not in req.filters]  # "for the Central office": a filter, not a split
    req.dimension = dims[0].id if dims else None
    if dims:
        req.words["dimension"] = dims[0].text
        req.also_by = list(  # "by capability and region" (not "the manager's team": one grouping)
            dict.fromkeys(
                d.id
                for prev, d in pairwise(dims)
                if d.id != dims[0].id
                and _has(r"\band\b|,|\bby\b|&|\bper\b|\bthen\b", text[prev.end : d.start])
            )
        )
    req.widen = _has(_WIDEN, text)
    req.intent = _intent(text, req, dims, [p.id for p in metrics])
    _limits(text, req)
    if time.get("compare") == "period" and req.compare_period:
        req.compare = "period"
    elif time.get("compare") in ("py", "pp") and req.intent in ("value", "comparison", "breakdown", "trend"):
        req.intent, req.compare = "comparison", time["compare"]
    if _has(_ASC, text) and req.intent in ("ranking", "value"):
        req.order = "asc"
    if req.intent == "ranking" and req.metric in ("sales_cycle_days", "median_sales_cycle_days"):
        if _has(r"\bfastest\b|\bquickest\b|\bshortest\b", text):
            req.order = "asc"  # the fastest cycle is the fewest days
        elif _has(r"\bslowest\b|\blongest\b", text):
            req.order = "desc"
    _operation(text, req)
    _split_year_over_year(req)
    _growth_of_year(text, req)
    _series_over_both(text, req)
    if (
        req.intent == "breakdown"
        and req.metric
        and sums(catalogue.metric(req.metric))
        and "average" not in (req.metric_text or "").lower()
        and _has(r"\baverage\b[a-z ]* (?:per|by|for each|across|of (?:the|our) )", text)
    ):  # "average won revenue per rep": the mean over the reps, not the breakdown
        req.operation = "average_per_segment"
    if _has(
        r"\baverage\b[a-z ]* per (?:month|quarter)\b|\baverage (?:monthly|quarterly)\b|"
        r"\bper (?:month|quarter) on average\b",
        text,
    ) and (
        req.intent in ("trend", "value")
    ):  # "average won revenue per month in 2017": the mean of the monthly totals
        req.intent, req.operation = "trend", "average_per_bucket"
        req.grain = "quarter" if _has(r"\bquarter", text) else "month"
    if req.intent == "comparison" and req.compare == "pp" and not req.period:
        # "fees quarter over quarter": the latest quarter (month) against the one before
        unit = (
            "quarter"
            if _has(r"\bquarter|\bqoq\b", text)
            else ("month" if _has(r"\bmonth|\bmom\b", text) else "")
        )
        hits = read_periods(f"this {unit}", as_of, fiscal_start_month) if unit else []
        if hits and hits[0].period is not None:
            req.period = period_text(hits[0].period)
            req.words["period"] = f"the latest {unit} (default)"
    req.unresolved = unresolved_words(text, spans)
    req.unresolved += [
        w for w in head_modifiers(text, metrics, spans) + per_units(text, spans) if w not in req.unresolved
    ]
    req.unsupported = _unsupported_concepts(text, spans)
    return req


#: metric words whose meaning the loaded data decides (see :data:`revintel.ask.check.GENERIC`)
_GENERIC_WORDS = ("revenue", "revenues", "sales", "net revenue")


def _drop_generic(metrics: list[Any], text: str) -> list[Any]:
    """ "Sales revenue", "revenue from bookings": a generic word beside a specific metric is that metric.

    Not when the two are divided ("revenue per chargeable hour", "revenue per won deal"): a ratio of
    two figures is another question, which the check stage clarifies.
    """

    def divided(p: Any) -> bool:
        return any(
            q is not p and re.fullmatch(r"\s*(?:per|/|by each|for each)\s*", text[p.end : q.start])
            for q in metrics
        )

    specific = [p for p in metrics if p.text.lower() not in _GENERIC_WORDS or divided(p)]
    return specific or metrics[:1]


def _series_over_both(text: str, req: Request) -> None:
    """ "Quarterly chargeable hours for 2024 and 2025": one series over both periods, not a comparison."""
    if not (req.intent == "comparison" and req.compare == "period" and req.grain and req.compare_period):
        return
    if _has(r"\bvs\.?\b|\bversus\b|\bcompar|\bagainst\b|\bdifference\b|\bchange", text):
        return
    ends = [(req.period or "").split("|", 2), req.compare_period.split("|", 2)]
    if any(len(e) != 3 for e in ends):
        return
    spans = sorted(e[0].split("..") for e in ends)
    first, last = sorted(ends, key=lambda e: e[0])
    req.period = f"{spans[0][0]}..{max(sp[1] for sp in spans)}|range|{first[2]} and {last[2]}"
    req.intent, req.compare, req.compare_period = "trend", None, None


def _split_year_over_year(req: Request) -> None:
    """ "Q4 2025 fees vs Q4 2024 by capability": a period against the same period a year before, split,
    is the prior-year comparison by that dimension (two arbitrary periods are not split: see meaning)."""
    if not (req.intent == "comparison" and req.compare == "period" and req.dimension and req.compare_period):
        return
    a, b = (req.period or "").split("|")[0], req.compare_period.split("|")[0]
    try:
        (a0, a1), (b0, b1) = (tuple(dt.date.fromisoformat(x) for x in p.split("..")) for p in (a, b))
    except ValueError:
        return
    if b0 > a0:
        (a0, a1), (b0, b1) = (b0, b1), (a0, a1)
        req.period = req.compare_period
    if (b0.replace(year=b0.year + 1), b1.replace(year=b1.year + 1)) == (a0, a1):
        req.compare, req.compare_period = "py", None


def _growth_of_year(text: str, req: Request) -> None:
    """ "Fee growth in 2025": the year against the year before (a quarter or month stays ambiguous)."""
    parts = (req.period or "").split("|", 2)
    grain = parts[1] if len(parts) == 3 else ""
    if (
        req.intent in ("value", "breakdown")
        and not req.compare
        and not req.compare_period
        and req.operation is None
        and grain in ("year", "fiscal_year")
        and _has(GROWTH_WORDS, text)
    ):
        req.intent, req.compare = "comparison", "py"


#: words the intent rules read (so they are explained even though no slot holds them)
_GRAMMAR_WORDS = load_words("grammar_words.txt")


def unresolved_words(text: str, spans: Spans) -> list[str]:
    """Content words of ``text`` that no slot, period or intent rule explains."""
    out: list[str] = []
    for m in re.finditer(r"[a-z][a-z'&-]*", text):
        w = m.group(0).strip("'-")
        if not spans.free(m.start(), m.end()) or len(w) < 3:
            continue
        if w in FUNCTION_WORDS or w in _GRAMMAR_WORDS or w.rstrip("s") in _GRAMMAR_WORDS:
            continue
        out.append(w)
    return out


#: everyday words that, right before a one-word metric, make it another figure ("loss rate", "open rate")
_STATUS_BEFORE = frozenset(
    [
        "loss",
        "losses",
        "lose",
        "loses",
        "losing",
        "lost",
        "open",
        "opening",
        "opened",
        "close",
        "closes",
        "closing",
        "closed",
        "new",
        "won",
        "win",
        "wins",
        "winning",
        "churn",
        "churned",
        "conversion",
        "converted",
    ]
)
#: two-letter words that may stand before a one-word metric ("us", "our" ...)
_SHORT_OK = frozenset(
    ["a", "an", "by", "in", "of", "on", "or", "to", "at", "is", "us", "we", "my", "me", "it", "vs"]
)


def head_modifiers(text: str, metrics: list[Any], spans: Spans) -> list[str]:
    """Words right before a one-word metric phrase that no slot explains ("loss rate", "wn rate").

    A metric named by one word ("rate", "fees") takes its meaning from the word before it; an everyday
    word there ("loss" in "loss rate") or a fragment too short to be read ("wn rate") would otherwise be
    skipped and the bare word answered as another figure (rate per hour).
    """
    out: list[str] = []
    for p in metrics:
        if " " in p.text.strip():
            continue
        before = re.search(r"([a-z][a-z'&-]*)\s+$", text[: p.start])
        if before is None or not spans.free(before.start(1), before.end(1)):
            continue
        word = before.group(1).strip("'-")
        short = len(word) < 3 and word not in _SHORT_OK
        if word and (short or word in _STATUS_BEFORE) and word not in out:
            out.append(word)
    return out


#: words that ask for one row per segment
_SPLIT_CUES = (
    r"\bby\b|\bper\b|\beach\b|\bevery\b|\bwhich\b|\bwho\b|\bsplit\b|\bbreak|\bacross\b|\bamong\b|"
    r"\bcompare\b|\bvs\.?\b|\bversus\b|" + _RANK
)


def _owned_nouns(dims: list[Any], text: str) -> list[Any]:
    """ "What did we bill our clients", "revenue from our customers": everyone, not one row per client."""
    if _has(_SPLIT_CUES, text):
        return dims
    return [d for d in dims if not _has(r"\b(?:our|all (?:of )?our)\s+$", text[: d.start])]


_EXCLUDING = (
    r"\b(?:excluding|exclude|excludes|except(?: for)?|other than|apart from|not including|outside(?: of)?|"
    r"ex)\s+(?:(?:in|for|from|at|on)\s+)?(?:the\s+)?$"
)


def _excluded(entities: list[Any], text: str, spans: Spans) -> list[Any]:
    """Values named after "excluding" / "except" / "other than" (their words are explained)."""
    out = []
    for e in entities:
        m = re.search(_EXCLUDING, text[: e.start])
        if m is not None:
            out.append(e)
            spans.take(m.start(), m.end())
    return out


def _exclude(req: Request, excluded: list[Any], vocab: Vocabulary) -> None:
    """ "Excluding Technology": the value is left out (every other value is kept, see :func:`complement`)."""
    names = {e.value for e in excluded}
    for dim, vals in list(req.filters.items()):
        if names and any(v in names for v in vals):
            req.excluded[dim] = [v for v in vals if v in names]
            kept = [v for v in vals if v not in names]
            req.filters[dim] = kept or [v for v in vocab.values.get(dim, []) if v and v not in names]
            req.words[f"filter:{dim}"] = "not " + " / ".join(e.text for e in excluded)


def complement(req: Request, known: dict[str, list[str]]) -> None:
    """The filters of excluded values: every value of ``known`` (the metric's data, in scope) but those."""
    for dim, out in req.excluded.items():
        if dim in known:
            req.filters[dim] = [v for v in known[dim] if v not in out]


_LOST_TO = (
    r"\b(?:lose|loses|losing|lost)\s+(?:deals?\s+|them\s+|it\s+|business\s+)?(?:to|against)\s+"
    r"(?:a\s+|the\s+|any\s+)?$"
)


def _any_competitor(req: Request, dims: list[Any], text: str, vocab: Vocabulary) -> list[Any]:
    """ "Deals we lost to competitors": deals with a competitor named, not a split by competitor.

    Lost deals with no competitor recorded were not lost to one, so they are left out (the filter is
    every competitor of the loaded data); "which competitor" or "by competitor" still splits.
    """
    values = [v for v in vocab.values.get("competitor", []) if v]
    if not values or "competitor" in req.filters:
        return dims
    if _has(r"\b(?:which|what|whom?|each|per|by|top|most|biggest|main)\b[^?]*\bcompetitor", text):
        return dims
    for d in dims:
        if d.id == "competitor" and _has(_LOST_TO, text[: d.start]):
            req.filters["competitor"] = list(values)
            req.words["filter:competitor"] = d.text
            return [x for x in dims if x is not d]
    return dims


#: "per month", "per cent": units the period and intent rules read
_PER_READ = frozenset(
    [
        "cent",
        "month",
        "months",
        "quarter",
        "quarters",
        "year",
        "years",
        "week",
        "weeks",
        "day",
        "days",
        "annum",
    ]
)


def per_units(text: str, spans: Spans) -> list[str]:
    """The unit of "per X" when nothing reads X ("fees per head"): a ratio the reading would drop."""
    out: list[str] = []
    for m in re.finditer(r"\bper\s+(?:an?\s+|each\s+)?([a-z][a-z'&-]*)", text):
        word = m.group(1).strip("'-")
        if word not in _PER_READ and spans.free(m.start(1), m.end(1)) and word not in out:
            out.append(word)
    return out


def _unsupported_concepts(text: str, spans: Spans) -> list[str]:
    """Figures the catalogue lacks that the question names (outside data values and metric phrases)."""
    out = set()
    for word, name in UNSUPPORTED_CONCEPTS.items():
        for m in re.finditer(rf"\b{re.escape(word)}\b", text):
            if spans.free(m.start(), m.end()):
                out.add(name)
    return sorted(out)


#: stage value -> the count metric of deals at that stage
_STAGE_METRIC = {"Closed Won": "won_deals", "Closed Lost": "lost_deals"}


def _metric_from_filters(req: Request, text: str) -> str | None:
    """ "How many deals are in prospecting": a count of deals at a stage (open deals, or won/lost)."""
    stages = req.filters.get("stage") or []
    if (
        req.metric in (None, "deal_count", "open_pipeline")
        and stages
        and _has(r"\bdeals?\b|\bhow many\b|\bnumber of\b", text)
    ):
        if len(stages) == 1 and stages[0] in _STAGE_METRIC:
            req.filters.pop("stage")
            return _STAGE_METRIC[stages[0]]
        return "open_pipeline" if _has(r"\bvalue\b|\bworth\b|\bamount\b|\bhow much\b", text) else "open_deals"
    return req.metric


def _release_values(metrics: list[Any], vocab: Vocabulary, spans: Spans) -> list[Any]:
    """A second metric word that is also a data value is the value ("won revenue from expansion deals")."""
    if len(metrics) < 2:
        return metrics
    keep = metrics[:1]
    for p in metrics[1:]:
        word = p.text.lower().rstrip("s")
        if any(v.lower().rstrip("s") == word for values in vocab.values.values() for v in values):
            spans.taken.remove((p.start, p.end))
        else:
            keep.append(p)
    return keep


#: nouns that name the things a filter selects, not a breakdown ("enterprise accounts")
_GENERIC_NOUNS = ("account", "client")
#: dimensions of people, whom a value of another dimension selects ("EMEA reps")
_PEOPLE = ("rep", "manager")


def _qualifiers(
    req: Request, dims: list[Any], entities: list[Any], text: str, vocab: Vocabulary
) -> list[Any]:
    """Dimension words right after a value qualify it, they do not split the answer.

    "Software sector accounts", "the GTX series", "enterprise accounts": the value is a filter and
    the words after it say what kind of value it is. When they name another dimension than the one
    the value was found in ("the Technology sector" where Technology is also a capability), the
    value is looked up in the named dimension; when it is not there the question is not answered.
    """
    keep: list[Any] = []
    chain = [(e.end, e) for e in entities]
    for d in sorted(dims, key=lambda p: p.start):
        prev = next(((end, e) for end, e in chain if 0 <= d.start - end <= 1), None)
        if prev is None:
            keep.append(d)
            continue
        e = prev[1]
        chain.append((d.end, e))
        if e.dimension == d.id or d.id in _GENERIC_NOUNS:
            continue
        if d.id in _PEOPLE and e.dimension not in _PEOPLE:
            # "the EMEA reps": the reps of that region (ranked or split when the question asks for it)
            if _has(_SPLIT_CUES, text):
                keep.append(d)
            continue
        name = e.text.lower()
        found = [
            v
            for v in vocab.values.get(d.id, [])
            if v.lower() == name or v.lower().startswith(name + " ") or v.lower() == e.value.lower()
        ]
        series = [v for v in vocab.values.get("product_series", []) if v.lower() == name]
        target = d.id
        if len(found) > 1 and d.id == "product" and series:  # "GTX products": every product of the series
            found, target = series, "product_series"
        if len(found) == 1:
            values = req.filters.get(e.dimension, [])
            if e.value in values:
                values.remove(e.value)
                if not values:
                    req.filters.pop(e.dimension)
                    req.words.pop(f"filter:{e.dimension}", None)
            req.filters.setdefault(target, []).append(found[0])
            req.words[f"filter:{target}"] = f"{e.text} {d.text}"
            req.rewrites.append(
                {"asked": f"{e.text} {d.text}", "read": found[0], "kind": "data", "score": 100.0}
            )
        else:
            kind = e.dimension.replace("_", " ")
            req.blocked.append(f'"{e.value}" is a {kind} in the loaded data, not a {d.text}')
    return keep


#: "how many" of a money metric: the count of the same things
COUNT_VARIANTS = {
    "won_revenue": "won_deals",
    "open_pipeline": "open_deals",
    "weighted_pipeline": "open_deals",
    "pipeline_closing": "open_deals",
    "churned_arr": "churned_logos",
    "arr": None,
    "deal_count": None,
}
_COUNTED = (
    r"\b(?:how many|number of|count of|count the)\b(?: [a-z]+){0,2}? (deals|customers|accounts|clients)\b"
)
#: metrics measured on won deals only (a question about lost or open deals is another figure)
WON_ONLY = ("sales_cycle_days", "median_sales_cycle_days", "avg_deal_size", "median_deal_size", "won_revenue")
_LOST = r"\blost\b|\blose\b|\blosing\b|\bloss(?:es)?\b"
_AMOUNT = r"\bvalue\b|\bworth\b|\bamount\b|\bhow much\b|\bdollars?\b|\bsize\b|\brevenue\b"


def _counted(req: Request, text: str, dims: list[Any]) -> list[Any]:
    """ "How many deals did we book", "how many customers churned": a count, not a money figure.

    The counted noun is what is counted, not a breakdown ("how many customers" is not "by customer").
    """
    m = re.search(_COUNTED, text)
    if not m:
        return dims
    noun = m.group(1)
    if noun != "deals" and req.metric not in ("churned_arr", "churned_logos", "opening_logos"):
        req.blocked.append(f"the catalogue counts deals, not distinct {noun}")
        return dims
    if req.metric in COUNT_VARIANTS:
        variant = COUNT_VARIANTS[req.metric]
        if variant is None and req.metric not in ("deal_count",):
            req.blocked.append(f"the catalogue has no count of {m.group(1)} for {req.metric_text or 'that'}")
        elif variant:
            req.rewrites.append({"asked": m.group(0), "read": variant.replace("_", " "), "kind": "jargon"})
            req.metric = variant
    return [d for d in dims if not (d.start <= m.start(1) < d.end)]


def _status_conflict(req: Request, text: str) -> None:
    """Qualifiers that change the figure: the value of won deals, the cycle of lost deals."""
    closed = re.sub(r"\bwon (?:or|and|/) lost\b|\bwins (?:and|or) losses\b|\bwin[/ -]loss\b", " ", text)
    counting = _has(r"\bhow many\b|\bnumber of\b|\bcount of\b", closed)
    if (
        req.metric == "won_deals"
        and _has(r"\bvalue\b|\bworth\b|\bamount\b|\bdollars?\b|\bsize\b", closed)
        and not counting
    ):
        if _has(r"\baverage\b|\bper deal\b", closed):
            req.metric = "avg_deal_size"
        elif _has(r"\bmedian\b", closed):
            req.metric = "median_deal_size"
        else:
            req.metric = "won_revenue"
        return
    if (
        req.metric == "open_deals"
        and _has(r"\bvalue\b|\bworth\b|\bamount\b|\bdollars?\b|\bhow much\b", closed)
        and not counting
    ):  # "the total value of open deals": the open pipeline, not the count
        req.metric = "open_pipeline"
        return
    if req.metric in ("lost_deals", "closed_deals") and _has(_AMOUNT, closed) and not _has(_CONTRIB, closed):
        req.blocked.append(
            "the catalogue counts lost deals but has no value of lost deals"
            if req.metric == "lost_deals"
            else "the catalogue counts closed deals but has no value of closed (won or lost) deals"
        )
        return
    rest = closed.replace((req.metric_text or "").lower(), " ") if req.metric_text else closed
    if req.metric in WON_ONLY and _has(_LOST, closed) and not _has(r"\bwin rate\b|\bw[oi]n\b", rest):
        label = (req.metric_text or req.metric.replace("_", " ")).lower()
        req.blocked.append(f"{label} is measured on won deals; the catalogue has no {label} of lost deals")
    elif req.metric in WON_ONLY and _has(r"\bopen\b", closed) and req.metric != "won_revenue":
        label = (req.metric_text or req.metric.replace("_", " ")).lower()
        req.blocked.append(f"{label} is measured on won deals; the catalogue has no {label} of open deals")


_GROWTH = (
    r"\b(?:grew|grow|grown|growing|growth|increased?|increasing|rose|risen|improved?|improving|gained?|"
    r"declined?|declining|decreased?|decreasing|dropped|drop|fell|fallen|shrank|shrunk|change[ds]?)\b"
)


def _operation(text: str, req: Request) -> None:
    """Operations on the metric the wording asks for (growth rankings, the change over a range)."""
    if (
        req.intent == "value"
        and len(req.period_parts) == 2
        and not req.compare_period
        and _has(_GROWTH + r"|\bdifference\b|\bmove[ds]?\b|\bmovement\b|\bevolv", text)
    ):  # "how did fees change from Q1 to Q2": the two ends compared, not the range summed
        req.intent, req.compare = "comparison", "period"
        req.compare_period, req.period = req.period_parts[0], req.period_parts[1]
        return
    if req.intent == "ranking" and _has(_GROWTH, text):
        req.operation = "growth"
        if _has(r"declin|decreas|dropped|\bdrop\b|\bfell\b|fallen|shr[ai]n|\bworst\b", text):
            req.order = "asc"
        if req.period_parts and not req.compare_period:
            req.compare_period, req.period = req.period_parts[0], req.period_parts[1]


#: (aggregation word, metric) -> the metric that aggregates the same measure that way
AGGREGATE_VARIANTS = {
    ("median", "avg_deal_size"): "median_deal_size",
    ("median", "sales_cycle_days"): "median_sales_cycle_days",
    ("average", "median_deal_size"): "avg_deal_size",
    ("average", "median_sales_cycle_days"): "sales_cycle_days",
}


def aggregate_variant(metric: str | None, text: str) -> str | None:
    """``metric`` aggregated as the question asks ("median deal size", "average won revenue")."""
    for word in ("median", "average"):
        if metric and re.search(rf"\b{word}\b", text) and (word, metric) in AGGREGATE_VARIANTS:
            return AGGREGATE_VARIANTS[(word, metric)]
    return metric


def _refine_metric(metric: str | None, text: str, catalogue: Any) -> str | None:
    """Resolve generic words with the rest of the question ("revenue" we *won*, *deals* we lost)."""
    metric = aggregate_variant(metric, text)
    won = _has(r"\bw[oi]n\b|\bwon\b|\bclosed\b|\bbooked\b", text)
    if (
        metric in (None, "fees")
        and won
        and _has(r"\brevenue\b|\bsales\b|\bamount\b|\bvalue\b|\bbookings\b", text)
    ):
        return "won_revenue"
    if metric == "deal_count" and (won or _has(r"\blost\b|\blose\b", text)):  # "number of deals won"
        metric = None
    if metric is None and _has(r"\bdeals?\b|\bopportunit", text):
        if _has(r"\blost\b|\blose\b", text):
            return "lost_deals"
        if won:
            return "won_deals"
        if _has(r"\bopen\b", text):
            return "open_deals"
    if metric is None and _has(
        r"\bhow much\b.*\b(?:sell|sold|made|make|earn)|\bsold\b|\bsells? the most\b|"
        r"\b(?:best|top|highest)[- ]selling\b|\bsells? best\b|\b(?:bought|buys|purchased|spent) the most\b",
        text,
    ):
        return "won_revenue"
    if metric is None and _has(r"\blos[et]\b|\blosing\b|\blosses\b", text) and not _has(r"\brate\b", text):
        return "lost_deals"
    if metric is None and _has(r"\bwins?\b|\bwinning\b", text) and not _has(r"\brate\b|\bratio\b", text):
        return "won_deals"
    if metric is None and _has(_RATE_VOLUME, text):
        return "fees"
    if metric is None and _has(_BVA, text):
        return None  # budget vs actuals over every budgeted metric
    if metric is None and _has(_FUNNEL, text) and _has(r"\bpipeline\b|\bfunnel\b|\bdeals?\b", text):
        if _has(r"\bhow many\b|\bnumber of\b|\bcount\b", text) and not _has(r"\bopen\b|\bpipeline\b", text):
            return "deal_count"  # "number of deals by stage": every deal at its stage, won and lost too
        return "open_pipeline"
    return metric


def _intent(text: str, req: Request, dims: list[Any], named: list[str]) -> str:
    if _has(_RATE_VOLUME, text):
        totals = [m for m in named if m in RATE_VOLUME_PAIRS] + [
            _RATE_METRIC_OF[m] for m in named if m in _RATE_METRIC_OF
        ]
        req.metric = next(iter(totals), None) or (req.metric if req.metric in RATE_VOLUME_PAIRS else "fees")
        if req.metric not in RATE_VOLUME_PAIRS:
            req.metric = "fees"
        req.compare = "budget" if _has(_BUDGET, text) else ("pp" if _has(_PP, text) else "py")
        return "rate_volume"
    gap = _has(_CONTRIB, text) and _has(_GAP, text)
    if gap or (_has(_BVA, text) and _has(_RANK + "|" + _CONTRIB, text)):
        req.compare = "budget" if _has(_BUDGET, text) else ("pp" if _has(_PP, text) else "py")
        return "why"
    if _has(_WHY, text):
        req.compare = "budget" if _has(_BVA, text) else ("py" if _has(_PY, text) else "pp")
        return "why"
    if _has(_BVA, text) or (_has(_BUDGET, text) and _has(r"\bactuals?\b", text)):
        req.compare = "budget"
        return "budget_vs_actual" if not dims else "comparison"
    if _has(r"\bfunnel\b", text) or (
        _has(_FUNNEL, text)
        and req.metric in (None, "open_pipeline", "open_deals")
        and "stage" not in req.filters  # "how many deals are in the engaging stage": one stage's count
    ):
        req.dimension = "stage"
        return "funnel"
    if _has(_DEAL, text) and req.metric is None and _deal_search(text, req):
        return "deal_lookup"
    if _has(_CONTRIB, text) and req.metric != "win_rate":
        if dims and _has(_RANK, text) and _has(r"\b(?:which|who)\b", text) and not _has(_TOP_N, text):
            # "which capability had the smallest share of fees": the segments ranked (same order as shares)
            req.order = "asc" if _has(_ASC, text) else "desc"
            return "ranking"
        return "share"
    if _has(r"\btrend", text) and _has(_PP + "|" + _PY, text) and not dims:
        req.grain = req.grain or ("quarter" if _has(r"\bquarter|\bqoq\b", text) else "month")
        return "trend"  # "how are sales trending month over month": the monthly series
    if (
        _has(_GROWTH, text)
        and (_has(_RANK, text) or _has(r"^(?:which|who)\b", text))
        and (dims or _has(_WHO, text))
        and not any(len(v) > 1 for v in req.filters.values())
    ):  # "which region grew the most in 2025 vs 2024": segments ranked by their change
        if not dims:
            req.dimension = "rep"
        req.compare = "py" if _has(_PY, text) else ("pp" if _has(_PP, text) else req.compare)
        return "ranking"
    if _has(_PY, text):
        req.compare = "py"
        return "comparison"
    if _has(_PP, text):
        req.compare = "pp"
        return "comparison"
    if req.compare_period:
        req.compare = "period"
        return "comparison"
    if _has(_SEGMENT_VS, text) and _segments(req):
        req.compare = "segments"
        return "comparison"
    best_bucket = (
        r"\b(?:best|worst|top|highest|lowest|biggest|strongest|weakest)\s+(?:month|quarter|year)s?\b"
    )
    if _has(_RANK, text) and (dims or _has(_WHO + r"|\bwhich\b|\bwhat\b|" + best_bucket, text)):
        if not dims:
            req.dimension = "rep" if _has(_WHO, text) else None
            if req.dimension is None and req.grain in ("month", "quarter", "year"):
                req.dimension, req.grain = req.grain, None  # "which month had the most": months ranked
        req.order = "asc" if _has(_ASC, text) else "desc"
        return "ranking"
    if req.grain or _has(_TREND, text):
        req.grain = req.grain or ("quarter" if _has(r"\bquarterly\b", text) else "month")
        return "trend"
    if dims:
        return "breakdown"
    return "value"


def _segments(req: Request) -> bool:
    for dim, values in req.filters.items():
        if len(values) >= 2:
            req.segments = [[dim, v] for v in values[:2]]
            req.dimension = dim
            req.filters = {d: v for d, v in req.filters.items() if d != dim}
            return True
    return False


_LEAD_WORDS = (
    r"^(?:the|a|an|our|my|me|status of|about|tell me about|show me|show|find|look up|lookup|"
    r"details (?:of|on|for)|open|what is|what's|where is|where's|how is|how's)\s+"
)


def _deal_search(text: str, req: Request) -> bool:
    m = re.search(
        r"\b(?:deal|opportunity|opp)\b(?: (?:with|for|called|named|at|on))? ([a-z0-9][\w .&'-]{1,60})", text
    )
    before = re.search(r"([a-z0-9][\w&'-]*(?: [a-z0-9][\w&'-]*){0,3}) (?:deal|opportunity|opp)\b", text)
    for d in ("account", "product"):
        if req.filters.get(d):
            req.search = req.filters[d][0]
            return True
    candidate = (m.group(1) if m else None) or (before.group(1) if before else None)
    if candidate:
        candidate = candidate.strip()
        while True:
            stripped = re.sub(_LEAD_WORDS, "", candidate)
            if stripped == candidate:
                break
            candidate = stripped
        candidate = re.sub(r"\s+(?:deal|opportunity|opp)$", "", candidate)
        if (
            candidate
            and candidate not in ("the", "a", "biggest", "largest")
            and not re.match(r"(?:in|for|from|of|during|since|this|last|next|by|per)\b", candidate)
        ):  # "largest deal in 2017" names no deal
            req.search = candidate
            return True
    return False


def _limits(text: str, req: Request) -> None:
    m = re.search(_TOP_N, text)
    if m:
        n = m.group(1) or m.group(2)
        req.limit = int(n) if n.isdigit() else NUMBER_WORDS[n]
    elif (
        req.intent == "ranking"
        and _has(
            r"\bwhich\b|\bwho\b|\bthe (?:best|worst|highest|lowest|most|least|top|"
            r"biggest|largest)\b",
            text,
        )
        and not _has(
            r"\b(?:reps|agents|regions|"
            r"products|accounts|teams)\b",
            text,
        )
    ):
        req.limit = 1
