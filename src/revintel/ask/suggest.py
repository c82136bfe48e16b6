"""Follow-up suggestions after an answer, and the nearest answerable questions after an abstention."""

from __future__ import annotations

import difflib
import re
from typing import Any

from revintel.ask.answer import Answer
from revintel.ask.parse import Request
from revintel.scope import Scope

#: the canonical demo questions (also the Ask page's prompt chips)
CANONICAL = (
    "Why did chargeable hours drop in December?",
    "Is APAC fee growth coming from rate or volume?",
    "Which capability is the biggest contributor to the YTD budget gap in chargeable hours?",
    "Budget vs actuals YTD",
)
_TEMPLATES = (
    "What were {label} YTD?",
    "{label} by region this year",
    "{label} trend over the last 12 months",
    "Why did {label} change last quarter?",
)


def nearest_questions(question: str, catalogue: Any, scope: Scope, n: int = 4) -> list[str]:
    """Questions the engine can answer that are closest in wording to ``question``."""
    words = set(re.findall(r"[a-z]+", question.lower()))
    scored: list[tuple[float, str]] = []
    for m in catalogue.metrics:
        if m.domain not in scope.domains:
            continue
        names = [m.label.lower(), *(s.lower() for s in m.synonyms)]
        best = 0.0
        for name in names:
            overlap = len(words & set(name.split())) / max(len(name.split()), 1)
            fuzzy = max((difflib.SequenceMatcher(None, w, name).ratio() for w in words), default=0.0)
            best = max(best, overlap + 0.5 * fuzzy)
        scored.append((best, m.label))
    scored.sort(key=lambda x: -x[0])
    out: list[str] = []
    for i, (_, label) in enumerate(scored[:n]):
        out.append(_TEMPLATES[i % len(_TEMPLATES)].format(label=label.lower()))
    return out


def suggestions_for(req: Request, answer: Answer, catalogue: Any) -> list[str]:
    """Natural next questions after ``answer``."""
    if not answer.supported or not req.metric:
        return list(CANONICAL[:3]) if not answer.suggestions else answer.suggestions
    m = catalogue.metric(req.metric)
    label = m.label.lower()
    dims = [d for d in ("region", "capability", "rep", "product", "channel") if d in m.dimensions]
    out: list[str] = []
    if req.intent != "why":
        out.append("Why?" if req.period else f"Why did {label} change last month?")
    for d in dims:
        if d != req.dimension and d not in req.filters:
            out.append(f"Break that down by {d}")
            break
    if req.intent != "trend":
        out.append(f"{m.label} trend over the last 12 months")
    if m.budget and req.intent != "budget_vs_actual":
        out.append(f"{m.label} vs budget YTD")
    elif req.intent != "comparison":
        out.append(f"{m.label} this year vs last year")
    return out[:4]
