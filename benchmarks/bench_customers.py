"""Benchmark: the churn model at 100,000 customers x 36 months of usage.

Builds a warehouse whose customer tables (accounts, contacts, subscriptions, usage_monthly, tickets) come
from the demo generator at a scale with ``--customers`` subscription accounts (the rest of the demo is
kept at scale 1), then times, in one process:

* **training**: ``churn.train`` on every customer (time-ordered windows, leakage audit, baselines, the
  served refit), after the rows are read (the read is timed separately);
* **saving the model** (not a target): the pickle and, for a large model, its trees compiled with lleaves;
* **scoring all customers**: ``scoring.score_frames`` (features at as-of, P(churn), ARR at risk, health
  and its 90-day trend, alert rules) for every live customer;
* **the customer page's data**: ``views.customer`` for ``--pages`` customers spread over the ranking
  (warm: scores cached, as a server has them), median and p95.

Targets (issue 17): training < 60 s, scoring < 5 s, a customer page's data < 300 ms.

Run: ``OMP_WAIT_POLICY=passive nice -n 5 .venv/bin/python benchmarks/bench_customers.py --customers 100000``
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


def seed(home: Path, customers: int) -> dict[str, int]:
    """The demo at scale 1, with its customer tables regenerated for ``customers`` subscription accounts."""
    from revintel.warehouse.backends import Change, connect
    from revintel.warehouse.demo import customers as cust
    from revintel.warehouse.demo import seed_demo
    from revintel.warehouse.demo.common import Context
    from revintel.warehouse.demo.dimensions import build_accounts, build_contacts, build_reps

    ctx = Context(seed=42, scale=customers / 300)  # 60% of the 500 clients per unit of scale hold a line
    reps, team_idx, region_idx, skill = build_reps(ctx)
    accounts, dims = build_accounts(ctx, team_idx)
    dims.rep_region, dims.rep_skill = region_idx, skill
    contacts, _ = build_contacts(ctx, dims)
    book = cust.build_book(ctx, dims)
    tables = {
        "reps": reps,
        "accounts": accounts,
        "contacts": contacts,
        "subscriptions": cust.subscriptions_table(ctx, book),
        "usage_monthly": cust.usage_table(ctx, book),
        "tickets": cust.tickets_table(ctx, book),
    }
    wh = connect(f"duckdb:///{home / 'warehouse.duckdb'}", home)
    try:
        seed_demo(wh)
        wh.apply([Change(name, rows, "replace") for name, rows in tables.items()])
    finally:
        wh.close()
    return {name: rows.num_rows for name, rows in tables.items()}


class Timer:
    """Wall-clock and this process's CPU seconds of a block (the host is shared: CPU time is what the
    code costs, wall time what a user waited under that load)."""

    def __enter__(self) -> Timer:
        self.t, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c

    def figures(self) -> dict[str, float]:
        return {"wall": round(self.wall, 2), "cpu": round(self.cpu, 2)}


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(home: Path, pages: int, reuse_model: bool = False) -> dict[str, object]:
    from revintel.config import Settings
    from revintel.customers import churn, health, scoring, views
    from revintel.customers.data import load_frames
    from revintel.runtime import Runtime
    from revintel.scope import Scope, get_persona

    rt = Runtime(Settings(home=home))
    out: dict[str, object] = {}
    out["load_average_before"] = os.getloadavg()[0]
    with Timer() as tm:
        frames = load_frames(rt, Scope.everything())
    out["read_seconds"] = tm.figures()
    if reuse_model:  # time only scoring and pages, with the model a previous run saved
        m = scoring.model(rt)
    else:
        with Timer() as tm:
            m = churn.train(frames)
        out["train_seconds"] = tm.figures()
    out["model_test"] = {k: m.card["test"].get(k) for k in ("auc", "brier", "base_rate_brier", "ece")}
    out["model_test"]["top_decile_lift"] = m.card["test"].get("top_decile_lift")  # type: ignore[index]
    out["windows"] = m.card["windows"]
    if not reuse_model:  # saving compiles the trees of a large model (lleaves), which scoring then uses
        with Timer() as tm:
            churn.save(rt, m)
        out["save_and_compile_seconds"] = tm.figures()
    weights = health.weights(rt.settings.health_weights)
    with Timer() as tm:
        scored = scoring.score_frames(frames, m, weights)
    out["score_seconds"] = tm.figures()
    out["customers_scored"] = len(scored)
    scoring.scored_all(rt)  # warm the server's cache (loads the saved model, scores once)
    scope = get_persona("cro").scope
    ids = scored["account_id"].tolist()
    picks = [ids[int(i * (len(ids) - 1) / max(1, pages - 1))] for i in range(pages)]
    views.customer(rt, scope, picks[0])  # first call warms the per-scope reads
    times, cpu = [], []
    for account in picks:
        with Timer() as tm:
            views.customer(rt, scope, account)
        times.append(tm.wall)
        cpu.append(tm.cpu)
    out["customer_page_ms"] = {
        "p50": round(1000 * statistics.median(times), 1),
        "p95": round(1000 * _p(times, 0.95), 1),
        "cpu_p50": round(1000 * statistics.median(cpu), 1),
        "n": len(times),
    }
    out["load_average_after"] = os.getloadavg()[0]
    rt.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--home", type=Path, default=None, help="reuse a seeded home (skips generation)")
    parser.add_argument("--reuse-model", action="store_true", help="skip training: load the saved model")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-customers-"))
    result: dict[str, object] = {"customers_requested": args.customers}
    if not (home / "warehouse.duckdb").exists():
        t = time.perf_counter()
        result["rows"] = seed(home, args.customers)
        result["generate_seconds"] = round(time.perf_counter() - t, 1)
    result.update(run(home, args.pages, args.reuse_model))
    result["home"] = str(home)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
