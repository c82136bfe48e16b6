"""How the engine read a question: every slot with its value, the words it came from, and flags.

:func:`interpretation` is the ``interpretation`` field of an answer (``--json`` and the API);
:func:`how_i_read_it` is the one line the Ask page shows above the number ("Read as: won revenue,
H1 2017 (from "H1 2017"), by sector; 'bookings' read as won revenue").
"""

from __future__ import annotations

from typing import Any

from revintel.ask.parse import Request
from revintel.semantic.time import parse_period


def _slot(
    value: Any, words: str | None = None, *, default: bool = False, inherited: bool = False
) -> dict[str, Any]:
    return {"value": value, "words": words, "default": default, "inherited": inherited}


def interpretation(req: Request, catalogue: Any, period: dict[str, Any] | None = None) -> dict[str, Any]:
    """Each slot of ``req`` with its value, source words and default/inherited flags."""
    inh = set(req.inherited)
    metric = None
    if req.metric:
        try:
            metric = catalogue.metric(req.metric).label
        except Exception:
            metric = req.metric
    label = period["label"] if period else None
    if label is None and req.period:
        try:
            label = parse_period(req.period, _far()).label
        except Exception:
            label = req.period
    out: dict[str, Any] = {
        "intent": _slot(req.intent),
        "metric": _slot(metric, req.words.get("metric") or req.metric_text, inherited="metric" in inh),
        "dimension": _slot(req.dimension, req.words.get("dimension"), inherited="dimension" in inh),
        "filters": _slot(
            {k: list(v) for k, v in req.filters.items()},
            "; ".join(v for k, v in req.words.items() if k.startswith("filter:")) or None,
            inherited="filters" in inh,
        ),
        "excluded": {k: list(v) for k, v in req.excluded.items()},
        "period": _slot(
            label or "all time",
            req.words.get("period"),
            default=not req.period,
            inherited="period" in inh,
        ),
        "comparison": _slot(req.compare, None),
        "ranking": _slot(
            {"order": req.order, "limit": req.limit} if req.intent == "ranking" else None,
        ),
        "operation": _slot(req.operation),
        "rewrites": req.rewrites,
        "unresolved": list(req.unresolved),
        "unreadable_period": list(req.unreadable_period),
        "followup": req.followup,
    }
    if req.compare_period:
        try:
            out["comparison"]["value"] = {
                "kind": req.compare,
                "with": parse_period(req.compare_period, _far()).label,
            }
        except Exception:
            out["comparison"]["value"] = {"kind": req.compare, "with": req.compare_period}
    return out


def _far() -> Any:
    import datetime as dt

    return dt.date(2100, 1, 1)


def how_i_read_it(interp: dict[str, Any]) -> str:
    """One line: the metric, slice, period and any rewrite or inheritance."""
    parts: list[str] = []
    m = interp["metric"]
    if m["value"]:
        parts.append(str(m["value"]).lower() + (" (from the previous question)" if m["inherited"] else ""))
    if interp["dimension"]["value"]:
        parts.append(f"by {interp['dimension']['value']}")
    excluded = interp.get("excluded") or {}
    for dim, vals in (interp["filters"]["value"] or {}).items():
        if dim in excluded:  # "excluding Technology": the one value left out, not the many kept
            parts.append(f"{dim} other than {', '.join(excluded[dim])}")
        else:
            parts.append(f"{dim} = {', '.join(vals)}")
    p = interp["period"]
    when = str(p["value"])
    if interp.get("unreadable_period"):
        when = "period not understood: " + ", ".join(f"'{w}'" for w in interp["unreadable_period"])
    elif p["inherited"]:
        when += " (from the previous question)"
    elif p["default"]:
        when += " (default)"
    parts.append(when)
    op = interp["operation"]["value"]
    if op:
        parts.append(f"operation: {op}")
    rank = interp["ranking"]["value"]
    if rank:
        parts.append(
            ("bottom" if rank["order"] == "asc" else "top") + (f" {rank['limit']}" if rank["limit"] else "")
        )
    line = "Read as: " + ", ".join(parts)
    if interp.get("unresolved"):
        line += "; not understood: " + ", ".join(f"'{w}'" for w in interp["unresolved"])
    rw = [f"'{r['asked']}' as {r['read']}" for r in interp["rewrites"] if r["asked"] != r["read"]]
    if rw:
        line += "; " + "; ".join(rw[:4])
    return line + "."
