"""Follow-ups: a new question read against the previous answer's request.

"and in EMEA?", "what about last year?", "break that down by capability", "why?", "top 5?" name
only what changes; :func:`resolve` carries the rest (metric, filters, period, dimension) over
from the previous turn's request. A follow-up that asks to drop filters ("for all regions")
drops the *question's* filters only: the caller's scope is applied by the compiler regardless.
"""

from __future__ import annotations

import re
from typing import Any

from revintel.ask.intents import aggregate_variant
from revintel.ask.parse import Request

_FOLLOWUP_START = re.compile(
    r"^\s*(?:and|what about|how about|same|now|then|also|ok|okay|but|"
    r"break (?:that|it|this) down|split (?:that|it)|"
    r"show (?:that|it|me that)|drill|for|in|by|only|just|vs|versus|compared|why|top|bottom)\b",
    re.I,
)
#: intents that need no metric of their own, so a question with one of them can stand alone
STANDALONE = ("budget_vs_actual", "funnel")
_CONTINUE = re.compile(
    r"^\s*(?:and|what about|how about|same for|same but|now for|now show|and for|and in)\b", re.I
)
_REFERS = re.compile(r"\b(?:that|it|this|those|these|them|same)\b", re.I)
_RANKED = re.compile(r"\b(?:top|bottom|best|worst|highest|lowest|most|least|fewest)\b", re.I)
_BREAK = re.compile(r"\bbreak\b|\bsplit\b|\bby\b|\bper\b|\bacross\b|\bdrill\b", re.I)


def is_followup(req: Request) -> bool:
    """True when the question leans on the previous one (no metric of its own, or refers back)."""
    if req.intent in ("deal_lookup", "unsupported"):
        return False
    if req.metric is None:
        # "Budget vs actuals YTD" stands alone; "and vs budget?" leans on the previous question
        return req.intent not in STANDALONE or bool(_FOLLOWUP_START.match(req.question))
    if _CONTINUE.match(req.question):
        return True  # "what about bookings?": a new metric, the rest of the previous question
    return bool(_FOLLOWUP_START.match(req.question) and _REFERS.search(req.question))


def resolve(req: Request, previous: dict[str, Any] | None) -> Request:
    """``req`` completed from the previous turn's request (unchanged when it stands alone)."""
    if not previous or not is_followup(req):
        return req
    prev = Request.from_dict(previous)
    out = Request.from_dict(
        {**prev.to_dict(), "question": req.question, "followup": True, "out_of_scope": [], "widen": req.widen}
    )
    out.metric = req.metric or aggregate_variant(prev.metric, req.question.lower())
    out.metric_text = req.metric_text or prev.metric_text
    for key in (
        "rewrites",
        "words",
        "unresolved",
        "unreadable_period",
        "blocked",
        "unsupported",
        "period_parts",
        "text",
    ):
        setattr(out, key, getattr(req, key))
    out.operation = req.operation
    inherited = []
    if req.metric is None and prev.metric:
        inherited.append("metric")
    if prev.filters and not req.widen and any(k not in req.filters for k in prev.filters):
        inherited.append("filters")
    if not req.period and prev.period:
        inherited.append("period")
    filters = {} if req.widen else {k: list(v) for k, v in prev.filters.items()}
    filters.update({k: list(v) for k, v in req.filters.items()})
    out.filters = filters
    if req.period:
        out.period, out.compare_period = req.period, req.compare_period
    if req.as_of:
        out.as_of = req.as_of
    if req.limit:
        out.limit = req.limit
    if req.order != "desc" or req.intent == "ranking" or _RANKED.search(req.question):
        out.order = req.order
    out.intent, out.dimension, out.compare, out.grain, out.segments = _intent(req, prev)
    if out.intent in ("value", "why", "comparison") and out.dimension and out.intent != prev.intent:
        out.dimension = req.dimension
    if out.intent == "budget_vs_actual" and out.dimension and out.metric:
        out.intent, out.compare = "comparison", "budget"  # "compared with budget?" after "fees by region"
    if out.dimension and not req.dimension and out.intent in ("ranking", "breakdown", "share"):
        inherited.append("dimension")
    out.inherited = inherited
    if out.intent == "ranking" and out.metric in ("sales_cycle_days", "median_sales_cycle_days"):
        q = req.question.lower()  # "which is fastest?": the fewest days, whatever the last order was
        if re.search(r"\bfastest\b|\bquickest\b|\bshortest\b", q):
            out.order = "asc"
        elif re.search(r"\bslowest\b|\blongest\b", q):
            out.order = "desc"
    return out


def _intent(req: Request, prev: Request) -> tuple[str, str | None, str | None, str | None, list[list[str]]]:
    q = req.question
    if req.intent == "why":
        return "why", None, req.compare or "pp", None, []
    if req.dimension and _BREAK.search(q) and req.intent in ("breakdown", "value", "share"):
        return ("share" if req.intent == "share" else "breakdown"), req.dimension, None, None, []
    ranks_previous = prev.intent == "ranking" or (prev.dimension and prev.intent in ("breakdown", "share"))
    if req.intent == "ranking" or (_RANKED.search(q) and ranks_previous):  # "and the lowest?"
        return "ranking", req.dimension or prev.dimension, None, None, []
    if req.intent in ("trend", "comparison", "rate_volume", "budget_vs_actual", "funnel", "share"):
        return req.intent, req.dimension or prev.dimension, req.compare, req.grain, req.segments
    if req.intent == "breakdown":
        return "breakdown", req.dimension, None, None, []
    # "and in EMEA?" / "what about last year?": same question, new slice
    keep_dim = prev.dimension if prev.intent in ("breakdown", "ranking", "share", "funnel") else None
    return prev.intent, keep_dim, prev.compare, prev.grain, prev.segments
