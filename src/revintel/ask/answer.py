"""The answer object every provider returns, and the value formatting answers share.

An :class:`Answer` is what the CLI prints with ``--json``, what ``POST /api/ask`` returns and what
the Ask page renders: the sentence, the headline ``value`` (or null), a ``table``, a ``chart``
spec, the metric ``definitions``, the ``filters`` and caller's ``scope``, the exact ``sql`` run,
the ``sources`` with their freshness, a ``confidence``, follow-up ``suggestions`` and which
``provider`` answered. Ratios are fractions (0.63); money and counts are plain numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from revintel import format as fmt_mod
from revintel.ask.display import display

INTENTS = (
    "value",
    "trend",
    "breakdown",
    "ranking",
    "comparison",
    "share",
    "why",
    "rate_volume",
    "budget_vs_actual",
    "funnel",
    "deal_lookup",
    "route",
    "clarify",
    "unsupported",
)
CHART_TYPES = ("bar", "line", "pie", "waterfall", "table", "none")


@dataclass
class Answer:
    """One answer to one question (see module docstring for the fields)."""

    question: str
    answer: str
    intent: str
    value: float | None = None
    unit: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=lambda: {"type": "none"})
    definitions: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    scope: dict[str, Any] = field(default_factory=dict)
    sql: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    suggestions: list[str] = field(default_factory=list)
    provider: str = "local"
    notes: list[str] = field(default_factory=list)
    understood: dict[str, Any] = field(default_factory=dict)
    period: dict[str, Any] | None = None
    conversation_id: str | None = None
    turn_id: int | None = None
    #: each slot: value, the words it came from, default/inherited flags (see ask/reading.py)
    interpretation: dict[str, Any] = field(default_factory=dict)
    #: one line: how the question was read
    reading: str = ""
    #: a clarifying question: {"question": ..., "options": [...]} (no number is given)
    clarify: dict[str, Any] | None = None
    #: the service that owns the figure: {"service": "forecast", "figure": "p50", ...}
    route: dict[str, Any] | None = None

    @property
    def supported(self) -> bool:
        """True when the answer gives a figure (not an abstention or a clarifying question)."""
        return self.intent not in ("unsupported", "clarify")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        columns, rows = out.pop("columns"), [[plain(v) for v in r] for r in out.pop("rows")]
        units, shown = display(columns, rows, self.definitions, self.unit)
        out["table"] = {"columns": columns, "rows": rows, "units": units, "display": shown}
        out["value"] = plain(self.value)
        out["sql"] = "\n;\n".join(self.sql) if self.sql else None
        out["sql_statements"] = list(self.sql)
        return plain(out)


def plain(v: Any) -> Any:
    """``v`` as strict-JSON-friendly Python: numpy scalars unwrapped, NaN -> None, dates ISO."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            v = v.item()
        except (ValueError, TypeError):
            return str(v)
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if hasattr(v, "isoformat") and not isinstance(v, str):  # pandas Timestamp
        return v.isoformat()
    return v


def fmt(value: Any, unit: str | None) -> str:
    """A value for a sentence (:func:`revintel.format.value`): ``$1.20M``, ``63.0%``, ``12.4K h``."""
    return fmt_mod.value(value, unit, none="n/a")


def fmt_delta(delta: float | None, unit: str | None) -> str:
    """A signed difference for a sentence: points for a rate, units otherwise."""
    return fmt_mod.delta(delta, unit, none="n/a")


def pct_change(new: float | None, old: float | None) -> float | None:
    if new is None or old in (None, 0):
        return None
    return (float(new) - float(old)) / abs(float(old))


def unsupported(
    question: str, reason: str, suggestions: list[str], scope: dict[str, Any], provider: str = "local"
) -> Answer:
    """The abstention: no number, a reason, and the nearest questions that can be answered."""
    return Answer(
        question=question,
        answer=f"I can't answer that from the governed metrics: {reason}. Try one of the suggestions.",
        intent="unsupported",
        confidence=0.0,
        suggestions=suggestions,
        scope=scope,
        provider=provider,
        chart={"type": "none"},
    )
