"""Local Ask engine answer latency: p50/p95 per intent at the demo size and with 10M services rows.

For each scale, the default demo dataset is generated into a temporary home and a fixed set of
questions (every intent) is asked through ``rt.ask.ask`` as the CEO (nothing persisted; the audit
row is written as in production):

* **cold**: the semantic layer's result cache is cleared before every question (every query runs
  on the warehouse; compiled plans stay cached, as in a long-running server);
* **warm**: each question asked again right after it was answered once (every query served
  from the result cache keyed by data version; parsing, scope checks and the audit row still run).

The first question of the process (vocabulary read, catalogue load, first compile) is reported
separately. Scale 130 gives services_monthly ~10.2M rows (about 3 minutes to generate here).

    .venv/bin/python benchmarks/bench_ask.py                    # scales 1 and 130, 20 rounds
    .venv/bin/python benchmarks/bench_ask.py --scales 1           # demo scale only
    .venv/bin/python benchmarks/bench_ask.py --home /tmp/demo130   # reuse a seeded home (no seeding)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

QUESTIONS = {
    "value": [
        "What were net fees in 2025?",
        "What is our win rate?",
        "Chargeable hours in EMEA last quarter",
    ],
    "breakdown": ["Net fees by region this year", "Chargeable hours by capability in 2024"],
    "ranking": [
        "Top 5 reps by won revenue in 2025",
        "Which capability had the highest rate per hour in 2025?",
    ],
    "trend": ["Monthly chargeable hours in 2025"],
    "comparison": ["Net fees this year vs prior year", "Net fees in EMEA vs APAC in 2025"],
    "share": ["What share of net fees comes from Technology in 2025?"],
    "budget_vs_actual": ["Budget vs actuals YTD"],
    "why": ["Why did chargeable hours drop in December?"],
    "rate_volume": ["Is APAC fee growth coming from rate or volume?"],
    "funnel": ["Pipeline funnel by stage"],
    "deal_lookup": ["Show me the biggest Cyber Defense Retainer deal"],
    "growth": ["Which capability grew the most in net fees from 2024 to 2025?"],
    "periods": ["Billings in H1 2025", "Net fees from May through August 2025"],
    "followup_vocab": [
        "bookngs by vertical since March 2025",
        "What share of 2025 chargeable hours were in EMEA?",
    ],
    "clarify": ["Net fees last summer", "What is the zorblax ratio?"],
}


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "p95_ms": round(pct(samples, 0.95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def bench_scale(scale: float, rounds: int, home: Path | None = None) -> dict[str, object]:
    """Seed the demo at ``scale`` into a temporary home (or use the already seeded ``home``) and time it."""
    with tempfile.TemporaryDirectory() as tmp:
        return _bench(scale, rounds, home or Path(tmp), seed=home is None)


def _bench(scale: float, rounds: int, home: Path, seed: bool) -> dict[str, object]:
    from revintel.config import Settings
    from revintel.runtime import Runtime
    from revintel.scope import get_persona
    from revintel.warehouse.demo import seed_demo

    rt = Runtime(Settings(home=home))
    started = time.perf_counter()
    rows = seed_demo(rt.warehouse, scale=scale).rows if seed else rt.warehouse.row_counts()
    seed_s = time.perf_counter() - started
    scope = get_persona("ceo").scope
    ask = lambda q: rt.ask.ask(q, scope, actor="bench", persist=False)  # noqa: E731
    started = time.perf_counter()
    ask("What were net fees in 2023?")
    first = time.perf_counter() - started
    cold: dict[str, list[float]] = {k: [] for k in QUESTIONS}
    warm: dict[str, list[float]] = {k: [] for k in QUESTIONS}
    for _ in range(rounds):
        for intent, qs in QUESTIONS.items():
            for q in qs:
                rt.semantic.runner.clear()
                t0 = time.perf_counter()
                ask(q)
                cold[intent].append(time.perf_counter() - t0)
        for intent, qs in QUESTIONS.items():
            for q in qs:
                ask(q)  # the cold pass cleared each question's results before the next: fill them
                t0 = time.perf_counter()
                ask(q)
                warm[intent].append(time.perf_counter() - t0)
    rt.close()
    all_cold = [s for v in cold.values() for s in v]
    all_warm = [s for v in warm.values() for s in v]
    return {
        "scale": scale,
        "services_monthly_rows": rows.get("services_monthly"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "seed_seconds": round(seed_s, 1),
        "first_question_ms": round(first * 1000, 1),
        "cold_all": summary(all_cold),
        "warm_all": summary(all_warm),
        "cold_by_intent": {k: summary(v) for k, v in cold.items()},
        "warm_by_intent": {k: summary(v) for k, v in warm.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 130.0])
    ap.add_argument("--rounds", type=int, default=20, help="rounds (>= 20 gives every intent 20+ samples)")
    ap.add_argument("--home", type=Path, help="an already seeded REVINTEL_HOME to use instead of seeding")
    args = ap.parse_args()
    if args.home:
        out = [bench_scale(0, args.rounds, args.home)]
    else:
        out = [bench_scale(s, args.rounds) for s in args.scales]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
