"""Call statistics, the signals Gong shows: talk ratio, longest monologue, questions, interactivity,
customer sentiment and next-step presence; and each account's sentiment trend.

Definitions (per conversation, from its turns):

* **talk ratio**: the rep's share of speaking time (seconds when the source has offsets, words
  otherwise), 0-1;
* **longest monologue**: the longest run of consecutive turns by the rep side, in seconds;
* **questions**: sentences ending in "?" asked by the rep, and by the customer;
* **interactivity**: speaker changes per minute of call;
* **customer sentiment**: the mean VADER compound score (-1 to 1) of the customer's sentences;
* **next step**: whether a next step was said (the next-step tracker).

Computed for every conversation once per data version (a system job), then cut to the scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from revintel.conversations.data import conversations, records
from revintel.conversations.text import sentences
from revintel.conversations.tracking import hits
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

_VADER: Any = None


def sentiment(text: str) -> float:
    """VADER compound score of ``text`` (-1 to 1)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return float(_VADER.polarity_scores(text)["compound"])


def call_stats(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """The statistics of one conversation from its turns (ordered), without next-step presence."""
    time_of: dict[str, float] = defaultdict(float)
    words_of: dict[str, int] = defaultdict(int)
    questions = {"rep": 0, "customer": 0}
    customer_scores: list[float] = []
    longest, run, last_role, switches = 0.0, 0.0, None, 0
    start = min((t["start_seconds"] or 0.0 for t in turns), default=0.0)
    end = max((t["end_seconds"] or 0.0 for t in turns), default=0.0)
    for t in turns:
        role = t["role"] or "unknown"
        text = t["text"] or ""
        span = max((t["end_seconds"] or 0.0) - (t["start_seconds"] or 0.0), 0.0)
        time_of[role] += span
        words_of[role] += len(text.split())
        said = sentences(text)
        if role in questions:
            questions[role] += sum(1 for s in said if s.rstrip().endswith("?"))
        if role == "customer":
            customer_scores += [sentiment(s) for s in said]
        if role != last_role and last_role is not None:
            switches += 1
            run = 0.0
        if role == "rep":
            run += span
            longest = max(longest, run)
        last_role = role
    timed = sum(time_of.values()) > 0
    share = time_of if timed else words_of
    talked = share.get("rep", 0) + share.get("customer", 0)
    minutes = max((end - start) / 60.0, 1 / 60) if timed else None
    return {
        "talk_ratio": round(share.get("rep", 0) / talked, 3) if talked else None,
        "longest_monologue_seconds": round(longest, 1) if timed else None,
        "questions_rep": questions["rep"],
        "questions_customer": questions["customer"],
        "interactivity": round(switches / minutes, 2) if minutes else None,
        "customer_sentiment": round(sum(customer_scores) / len(customer_scores), 3)
        if customer_scores
        else None,
        "turns": len(turns),
    }


def all_stats(rt: Runtime) -> dict[str, dict[str, Any]]:
    """Conversation id -> statistics, for every conversation (system-wide, once per data version)."""

    def build() -> dict[str, dict[str, Any]]:
        t = rt.semantic.scoped_table(
            "conversation_turns",
            Scope.everything(),
            columns=["conversation_id", "turn_index", "role", "start_seconds", "end_seconds", "text"],
        )
        a = rt.warehouse.to_arrow(
            t.select(
                "conversation_id", "turn_index", "role", "start_seconds", "end_seconds", "text"
            ).order_by(["conversation_id", "turn_index"])
        ).to_pylist()
        by_conv: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in a:
            by_conv[r["conversation_id"]].append(r)
        table = hits(rt)
        with_next = {
            c
            for c, k in zip(
                table.column("conversation_id").to_pylist(), table.column("kind").to_pylist(), strict=True
            )
            if k == "next_step"
        }
        return {cid: {**call_stats(ts), "next_step": cid in with_next} for cid, ts in by_conv.items()}

    out: dict[str, dict[str, Any]] = rt.calls.memo("stats", build)
    return out


def _mean(values: list[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return round(sum(v) / len(v), 3) if v else None


def stats_report(
    rt: Runtime,
    scope: Scope,
    *,
    account: str | None = None,
    deal: str | None = None,
    since: dt.date | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """Per-conversation statistics in scope (latest first), their averages, and per-account
    monthly customer-sentiment trends."""
    convs = records(rt.warehouse.execute(conversations(rt, scope, account=account, deal=deal, since=since)))
    stats = all_stats(rt)
    rows = []
    for c in sorted(convs, key=lambda c: c["occurred_at"] or dt.datetime.min, reverse=True):
        s = stats.get(c["conversation_id"])
        if s is None:
            continue
        rows.append(
            {
                **{
                    k: c[k]
                    for k in ("conversation_id", "account", "opportunity_id", "channel", "occurred_at")
                },
                **s,
            }
        )
    keys = ("talk_ratio", "longest_monologue_seconds", "questions_rep", "interactivity", "customer_sentiment")
    averages = {k: _mean([r[k] for r in rows]) for k in keys}
    averages["next_step_share"] = round(sum(r["next_step"] for r in rows) / len(rows), 3) if rows else None
    return {
        "conversations": len(rows),
        "averages": averages,
        "calls": rows[:limit],
        "sentiment_trend": sentiment_trend(rows),
        "filters": {"account": account, "deal": deal, "since": since},
    }


def sentiment_trend(rows: list[dict[str, Any]], top: int = 20) -> list[dict[str, Any]]:
    """Per account: mean customer sentiment by month and the change from first to last month."""
    by: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["customer_sentiment"] is None or not r["account"] or not r["occurred_at"]:
            continue
        by[r["account"]][r["occurred_at"].strftime("%Y-%m")].append(r["customer_sentiment"])
    out: list[dict[str, Any]] = []
    for account, months in by.items():
        series: list[dict[str, Any]] = [
            {"month": m, "sentiment": round(sum(v) / len(v), 3), "calls": len(v)}
            for m, v in sorted(months.items())
        ]
        change = round(series[-1]["sentiment"] - series[0]["sentiment"], 3) if len(series) > 1 else None
        out.append(
            {"account": account, "months": series, "change": change, "calls": sum(s["calls"] for s in series)}
        )
    out.sort(key=lambda r: (-r["calls"], r["account"]))
    return out[:top]
