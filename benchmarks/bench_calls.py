"""Conversation intelligence at scale: index build, search p95 (vs a DuckDB ILIKE scan), trackers
over every turn, and a deal-copilot summary.

The demo is seeded at scale 1 into a temporary home, then its conversations are regenerated at the
requested count with the demo's own generator (``n_conversations`` is 1,000 per unit of scale,
capped at 100,000: ``revintel demo seed --scale 100`` gives the same 100,000 conversations, with
every other table 100x as well, which takes far longer to generate here). Measured as the CEO:

* **index build**: BM25 over every turn (``rt.calls.index()``, cold: the calls cache is emptied);
* **first search of a scope**: reads the scope's conversations once (CEO, then the EMEA lead);
* **search**: p50/p95 of ``search()`` over fixed queries for both scopes, interleaved query by query
  with the equivalent DuckDB scan (``text ILIKE '%word%'`` for each query word, scoped the same
  way), with their ratio;
* **trackers**: every turn through every tracker (``tracking.hits``, cold; wall and CPU seconds,
  with how many distinct texts the turns hold, since each distinct text is matched once), and the
  matcher alone over the distinct texts (turns per CPU second, and the CPU all turns would take if
  no text were ever repeated);
* **copilot**: ``load_calls`` + ``summarize`` of the last 5 calls of the deal with the most
  conversations: the first call and the median after it.

Every timing is given as wall time and as this process's CPU time (all its threads): on a shared
machine the gap between them is time spent waiting for a core. ``load_average_1m_at_end`` says
how busy the machine was.

    .venv/bin/python benchmarks/bench_calls.py --conversations 100000
    .venv/bin/python benchmarks/bench_calls.py --conversations 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

QUERIES = [
    "pricing concerns",
    "security questionnaire",
    "integration with our ERP",
    "budget frozen",
    "steering committee",
    "Quantive proposal",
    "next steps workshop",
    "sponsor leaving",
]


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def seed(home: Path, conversations: int) -> None:
    """Demo at scale 1, then ``conversations`` demo conversations (and their turns) in its place."""
    import numpy as np

    from revintel.warehouse.backends import Change, connect
    from revintel.warehouse.demo import _Counter, _start, seed_demo
    from revintel.warehouse.demo import conversations as conv
    from revintel.warehouse.demo.common import Context

    wh = connect(f"duckdb:///{home / 'warehouse.duckdb'}", home)
    try:
        seed_demo(wh)
        g = _start(42, 1.0, _Counter())
        ctx = Context(seed=42, scale=conversations / 1000)
        reps = np.asarray(g.reps.column("name").to_pylist(), dtype=object)
        calls = conv.conversations_table(ctx, g.pipe, g.account_names, reps)
        turns = conv.turns_table(calls, reps)
        wh.apply([Change("conversations", calls, "replace"), Change("conversation_turns", turns, "replace")])
    finally:
        wh.close()


def run(home: Path, rounds: int) -> dict[str, object]:
    from revintel.config import Settings
    from revintel.conversations.copilot import load_calls, summarize
    from revintel.conversations.search import search
    from revintel.conversations.tracking import hits
    from revintel.runtime import Runtime
    from revintel.scope import get_persona

    rt = Runtime(Settings(home=home))
    shutil.rmtree(home / "cache" / "calls", ignore_errors=True)  # every figure below is cold first
    ceo, emea = get_persona("ceo").scope, get_persona("emea_lead").scope
    counts = rt.warehouse.row_counts()
    out: dict[str, object] = {"conversations": counts["conversations"], "turns": counts["conversation_turns"]}
    out["distinct_turn_texts"] = int(
        rt.warehouse.raw.execute("SELECT count(DISTINCT role || text) FROM conversation_turns").fetchone()[0]
    )
    t, cpu = time.perf_counter(), time.process_time()
    rt.calls.index()
    out["index_build_seconds"] = round(time.perf_counter() - t, 2)
    out["index_build_cpu_seconds"] = round(time.process_time() - cpu, 2)
    firsts = {}
    for name, scope in (("ceo", ceo), ("emea_lead", emea)):
        t = time.perf_counter()
        search(rt, scope, "warm up")
        firsts[name] = round(1000 * (time.perf_counter() - t), 1)
    out["first_search_of_a_scope_ms"] = firsts
    for name, scope in (("ceo", ceo), ("emea_lead", emea)):
        bm25, scan, bm25_cpu = [], [], []
        for _ in range(rounds):
            for q in QUERIES:  # interleaved: each query through BM25, then through the scan
                t, cpu = time.perf_counter(), time.process_time()
                search(rt, scope, q, limit=10)
                bm25.append(time.perf_counter() - t)
                bm25_cpu.append(time.process_time() - cpu)
                t = time.perf_counter()
                _ilike(rt, scope, q)
                scan.append(time.perf_counter() - t)
        out[f"search_ms_{name}"] = {
            "n": len(bm25),
            "p50": round(1000 * statistics.median(bm25), 1),
            "p95": round(1000 * _p(bm25, 0.95), 1),
            "cpu_p50": round(1000 * statistics.median(bm25_cpu), 1),
            "cpu_p95": round(1000 * _p(bm25_cpu, 0.95), 1),
        }
        out[f"ilike_ms_{name}"] = {
            "p50": round(1000 * statistics.median(scan), 1),
            "p95": round(1000 * _p(scan, 0.95), 1),
        }
        out[f"ilike_over_bm25_p95_{name}"] = round(_p(scan, 0.95) / _p(bm25, 0.95), 2)
    t, cpu = time.perf_counter(), time.process_time()
    table = hits(rt)
    out["trackers_seconds"] = round(time.perf_counter() - t, 2)
    out["trackers_cpu_seconds"] = round(time.process_time() - cpu, 2)
    out["tracker_hits"] = table.num_rows
    out["tracker_matcher"] = _matcher_rate(rt, out["turns"])  # type: ignore[arg-type]
    c = rt.warehouse.table("conversations")
    top = rt.warehouse.execute(
        c.group_by("opportunity_id").aggregate(n=c.count()).order_by(c.count().desc()).limit(1)
    )
    deal = str(top["opportunity_id"].iloc[0])
    times, cpus = [], []
    for _ in range(rounds + 1):
        t, cpu = time.perf_counter(), time.process_time()
        summarize(rt, load_calls(rt, ceo, deal=deal, n=5))
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
    out["copilot_summary_seconds"] = {
        "deal": deal,
        "deal_conversations": int(top["n"].iloc[0]),
        "first": round(times[0], 3),
        "p50_after": round(statistics.median(times[1:]), 3),
        "max_after": round(max(times[1:]), 3),
        "cpu_first": round(cpus[0], 3),
        "cpu_p50_after": round(statistics.median(cpus[1:]), 3),
    }
    out["load_average_1m_at_end"] = round(os.getloadavg()[0], 1)
    rt.close()
    return out


def _matcher_rate(rt, turns: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The matcher alone on every distinct (role, text): turns per CPU second, and what all turns would
    cost if no text were ever said twice (the demo repeats template lines; real calls mostly do not)."""
    from revintel.conversations.trackers import match_turn
    from revintel.conversations.tracking import trackers_for

    pairs = rt.warehouse.raw.execute(
        "SELECT DISTINCT coalesce(role, 'unknown'), text FROM conversation_turns WHERE text <> ''"
    ).fetchall()
    trackers = trackers_for(rt)
    cpu = time.process_time()
    for role, text in pairs:
        match_turn(text, role, trackers)
    spent = time.process_time() - cpu
    rate = len(pairs) / spent
    return {
        "distinct_texts": len(pairs),
        "cpu_seconds": round(spent, 2),
        "turns_per_cpu_second": round(rate),
        "cpu_seconds_if_no_text_repeated": round(turns / rate, 1),
    }


def _ilike(rt, scope, query: str) -> int:  # type: ignore[no-untyped-def]
    """The plain scan: turns in scope whose text contains every query word, first 10."""
    from revintel.conversations.data import turns_table

    t = turns_table(rt, scope)
    for w in query.split():
        t = t.filter(t.text.ilike(f"%{w}%"))
    return len(rt.warehouse.execute(t.select("conversation_id", "turn_index", "text").limit(10)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--home", type=Path, help="reuse a home seeded by this script (no seeding)")
    args = ap.parse_args()
    if args.home:
        print(json.dumps(run(args.home, args.rounds), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        t = time.perf_counter()
        seed(home, args.conversations)
        seeded = round(time.perf_counter() - t, 1)
        print(json.dumps({"seed_seconds": seeded, **run(home, args.rounds)}, indent=2))


if __name__ == "__main__":
    main()
