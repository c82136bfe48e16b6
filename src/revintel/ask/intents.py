"""From a question to a :class:`~revintel.ask.parse.Request`: which intent, metric, slice and time.

:func:`understand` runs the readers of :mod:`revintel.ask.parse` (time, phrases, data values) and
decides the intent from the question's wording. It is deterministic and offline.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from revintel.ask.entities import Vocabulary
from revintel.ask.parse import Request, Spans, find_entities, find_phrases, parse_time, phrase_index

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
    r"(?:vs\.?|versus|against|to|over|under|compared (?:to|with)) (?:the )?(?:budget|plan)\b|\bbudget gap\b|"
    r"\bbva\b|\bvariance to budget\b|\bon budget\b|\bbehind budget\b|\bahead of budget\b"
)
_CONTRIB = r"contribut|\bshare of\b|% of\b|percent(?:age)? of\b|\bproportion\b|\bwhat fraction\b|\bsplit of\b"
_GAP = r"\bgap\b|\bshortfall\b|\bmiss\b|\bvariance\b"
_FUNNEL = r"\bfunnel\b|\bby stage\b|\bper stage\b|\beach stage\b|\bstages?\b"
_DEAL = r"\b(?:deal|opportunity|opp)\b"
_RANK = (
    r"\btop\b|\bbottom\b|\bbest\b|\bworst\b|\bhighest\b|\blowest\b|\bmost\b|\bleast\b|\brank|\bleader|"
    r"\bbiggest\b|\blargest\b|\bsmallest\b|\bstrongest\b|\bweakest\b|\bleading\b|\blagging\b"
)
_ASC = r"\bbottom\b|\bworst\b|\blowest\b|\bleast\b|\bsmallest\b|\bweakest\b|\blagging\b"
_TREND = (
    r"\btrend|\bover time\b|\bhistory\b|\btrajectory\b|month by month|\bmonthly\b|\bquarterly\b|"
    r"\bover the (?:last|past)\b|\bevolv"
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
_SEGMENT_VS = r"\bvs\.?\b|\bversus\b|\bcompared? (?:to|with)\b|\bcompare\b|\bagainst\b|\bor\b"
_OFF_TOPIC = r"\b(?:write|poem|story|joke|song|essay|limerick|haiku|translate|recipe|weather|stock price)\b"
_WIDEN = (
    r"\ball (?:regions|capabilities|teams|reps)\b|\beverything\b|\beveryone\b|\bglobal(?:ly)?\b|"
    r"\bcompany[- ]wide\b|\bwhole company\b|\bignore (?:your|the|my|all|previous)\b|\bdrop the filter\b|"
    r"\bremove the filter\b|\bwithout (?:the )?filter\b|\bunfiltered\b|\bevery region\b"
)
_TOP_N = (
    r"\b(?:top|bottom|best|worst|first|last)\s+(\d{1,3})\b|\b(\d{1,3})\s+(?:best|worst|top|biggest|largest|"
    r"highest|lowest)\b"
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


def understand(question: str, catalogue: Any, vocab: Vocabulary, as_of: dt.date) -> Request:
    """Read ``question`` into a request (metric None when no metric is named: the engine abstains)."""
    text = question.lower().replace("’", "'")
    text = re.sub(r"[?!]", " ", text)
    spans = Spans()
    req = Request(question=question)
    time = parse_time(text, as_of, spans)
    req.period = time.get("period")
    req.compare_period = time.get("compare_period")
    req.as_of = time.get("as_of")
    req.grain = time.get("grain")
    phrases = find_phrases(text, phrase_index(catalogue), spans)
    metrics = [p for p in phrases if p.kind == "metric"]
    dims = [p for p in phrases if p.kind == "dimension" and not catalogue.dimension(p.id).time]
    time_dims = [p for p in phrases if p.kind == "dimension" and catalogue.dimension(p.id).time]
    if time_dims and not req.grain:
        req.grain = time_dims[0].id
    if metrics:
        req.metric = metrics[0].id
        req.metric_text = metrics[0].text
    req.metric = _refine_metric(req.metric, text, catalogue)
    if _has(_OFF_TOPIC, text):
        req.metric, req.intent = None, "unsupported"
        return req
    entities = find_entities(question, vocab, spans)
    for e in entities:
        if e.dimension in ("stage",) and _has(_FUNNEL, text):
            continue
        vals = req.filters.setdefault(e.dimension, [])
        if e.value not in vals:
            vals.append(e.value)
    dims = [d for d in dims if d.id not in req.filters]  # "for the Central office": a filter, not a split
    req.dimension = dims[0].id if dims else None
    req.widen = _has(_WIDEN, text)
    req.intent = _intent(text, req, dims, [p.id for p in metrics])
    _limits(text, req)
    if time.get("compare") == "period" and req.compare_period:
        req.compare = "period"
    elif time.get("compare") in ("py", "pp") and req.intent in ("value", "comparison", "breakdown", "trend"):
        req.intent, req.compare = "comparison", time["compare"]
    return req


def _refine_metric(metric: str | None, text: str, catalogue: Any) -> str | None:
    """Resolve generic words with the rest of the question ("revenue" we *won*, *deals* we lost)."""
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
        r"\bhow much\b.*\b(?:sell|sold|made|make|earn)|\bsold\b|\bsell the most\b", text
    ):
        return "won_revenue"
    if metric is None and _has(_RATE_VOLUME, text):
        return "fees"
    if metric is None and _has(_BVA, text):
        return None  # budget vs actuals over every budgeted metric
    if metric is None and _has(_FUNNEL, text) and _has(r"\bpipeline\b|\bfunnel\b|\bdeals?\b", text):
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
        _has(_FUNNEL, text) and req.metric in (None, "open_pipeline", "open_deals", "weighted_pipeline")
    ):
        req.dimension = "stage"
        return "funnel"
    if _has(_DEAL, text) and req.metric is None and _deal_search(text, req):
        return "deal_lookup"
    if _has(_CONTRIB, text):
        return "share"
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
    if _has(_RANK, text) and (dims or _has(_WHO + r"|\bwhich\b|\bwhat\b", text)):
        if not dims:
            req.dimension = "rep" if _has(_WHO, text) else None
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
        if candidate and candidate not in ("the", "a", "biggest", "largest"):
            req.search = candidate
            return True
    return False


def _limits(text: str, req: Request) -> None:
    m = re.search(_TOP_N, text)
    if m:
        req.limit = int(m.group(1) or m.group(2))
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
