"""KPI summary at 10M/50M services rows: revintel against hand-written DuckDB SQL, interleaved.

Run: ``nice -n 5 .venv/bin/python benchmarks/bench_kpis.py [--rows 10000000] [--rounds 5] [--dir /tmp/...]``
or ``... bench_kpis.py --home DIR`` on a home made by ``revintel demo seed --scale 650`` (51M services rows).

For each size the demo dataset (scale 1) is generated once into a DuckDB file outside the repo;
``services_monthly`` is replicated a whole number of times to reach the target row count, and
``budgets`` is replicated the same number of times, so variances against budget keep their meaning
at every size. With ``--home`` the seeded data is used as it is (the generator scales budgets).
Every case runs revintel (B) and its baseline (A) in the same process, alternately
(A B, then B A in the next round, ...), and reports each round's ratio and the medians:

* **cold summary**: the five services KPI cards (value, budget, prior year and a 12-month sparkline
  each, as the KPI summary computes them) on a process with nothing compiled, nothing cached and no
  pre-aggregate (plans cleared in memory and on disk, the rollup dropped), against one hand-written
  SQL query over the base table; the rollup is then built as a load's precomputation builds it
  (timed apart);
* **pre-aggregate read**: the same five cards with plans compiled and the result cache cleared, so
  revintel reads its rollup, against hand-written SQL over *the same rollup table*;
* **warm**: the five cards again, served from revintel's result cache (no baseline: there is no
  equivalent; shown for scale);
* **restart**: a new Runtime on the same home (plans from the on-disk store, rollup present), first
  five cards, against the warm process's pre-aggregate read of the same cards (goal: within 1.5x);
* **ad-hoc drill-down**: chargeable hours and rate per hour by client, year vs prior year (client
  is not in the rollup, so both read the base table), plans compiled, results not cached;
* **restart as a user sees it** (``--home`` with ``--views``, after the cases above closed the
  warehouse): ``revintel serve`` on the home, as ``bench_starts.py`` starts it; as soon as it
  listens, a sign-in as the CRO, then ``GET /api/kpis/summary`` and ``GET /`` (the dashboard page),
  timed; then the same sign-in and views again in a new session on the same server (the warm
  views); then the server is stopped. Goal: first views within 1.5x of the warm ones.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

SERVICES = ["chargeable_hours", "fees", "rate_per_hour", "chargeability", "delivery_margin"]

SUMMARY = """
WITH m AS (
  SELECT month, {h} AS h, {f} AS f, {rh} AS rh, {a} AS a, {c} AS c
  FROM {table} WHERE month BETWEEN DATE '2024-01-01' AND DATE '2025-12-31' GROUP BY month
), b AS (
  SELECT sum(value) FILTER (WHERE metric = 'chargeable_hours') AS bh,
         sum(value) FILTER (WHERE metric = 'fees') AS bf,
         sum(value) FILTER (WHERE metric = 'cost') AS bc
  FROM budgets WHERE month BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'
)
SELECT 'ytd' AS part, NULL AS month, sum(h), sum(f), sum(rh) / sum(h), sum(h) / sum(a),
       (sum(f) - sum(c)) / sum(f)
FROM m WHERE month >= DATE '2025-01-01'
UNION ALL
SELECT 'py', NULL, sum(h), sum(f), sum(rh) / sum(h), sum(h) / sum(a), (sum(f) - sum(c)) / sum(f)
FROM m WHERE month < DATE '2025-01-01'
UNION ALL
SELECT 'budget', NULL, bh, bf, bf / bh, NULL, (bf - bc) / bf FROM b
UNION ALL
SELECT 'spark', month, h, f, rh / h, h / a, (f - c) / f FROM m WHERE month >= DATE '2025-01-01'
"""

BASE_COLUMNS = {
    "h": "chargeable_hours",
    "f": "fees",
    "rh": "hourly_rate * chargeable_hours",
    "a": "available_hours",
    "c": "cost",
}

HAND_DRILL = """
SELECT a.name AS client,
  sum(s.chargeable_hours) FILTER (WHERE s.month >= DATE '2025-01-01') AS h,
  sum(s.hourly_rate * s.chargeable_hours) FILTER (WHERE s.month >= DATE '2025-01-01')
    / sum(s.chargeable_hours) FILTER (WHERE s.month >= DATE '2025-01-01') AS rate,
  sum(s.chargeable_hours) FILTER (WHERE s.month < DATE '2025-01-01') AS h_py,
  sum(s.hourly_rate * s.chargeable_hours) FILTER (WHERE s.month < DATE '2025-01-01')
    / sum(s.chargeable_hours) FILTER (WHERE s.month < DATE '2025-01-01') AS rate_py
FROM services_monthly s LEFT JOIN accounts a ON s.account_id = a.account_id
WHERE s.month BETWEEN DATE '2024-01-01' AND DATE '2025-12-31'
GROUP BY 1 ORDER BY 1
"""


def hand_summary(table: str) -> str:
    """The five cards in one query, over the base table or over revintel's rollup (its partial sums)."""
    if table == "services_monthly":
        cols = {k: f"sum({v})" for k, v in BASE_COLUMNS.items()}
    else:
        from revintel.semantic import expr
        from revintel.semantic.rollups import _key

        cols = {k: f"sum(s_{_key(expr.parse(v))})" for k, v in BASE_COLUMNS.items()}
    return SUMMARY.format(table=table, **cols)


def build(folder: Path, rows: int) -> tuple[Path, int]:
    """A demo warehouse with ``services_monthly`` and ``budgets`` replicated ~rows/base times."""
    from revintel.warehouse.backends import connect
    from revintel.warehouse.demo import seed_demo

    path = folder / "warehouse.duckdb"
    marker = folder / f"built-{rows}"
    if marker.exists():
        return path, int(marker.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder)
    folder.mkdir(parents=True)
    wh = connect(f"duckdb:///{path}", folder)
    seed_demo(wh)
    raw = wh.raw
    base = raw.execute("SELECT count(*) FROM services_monthly").fetchone()[0]
    copies = max(1, round(rows / base))
    raw.execute("BEGIN TRANSACTION")
    for table in ("services_monthly", "budgets"):
        raw.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        raw.execute(f"DELETE FROM {table}")
        raw.execute(f"INSERT INTO {table} SELECT b.* FROM base_{table} b, range({copies})")
    raw.execute("COMMIT")
    raw.execute("CHECKPOINT")
    wh.close()
    marker.write_text(str(copies))
    return path, copies


def interleaved(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> list[tuple[float, float]]:
    """(seconds of A, seconds of B) per round, alternating which goes first."""
    out = []
    for i in range(rounds):
        times: dict[str, float] = {}
        for name in "ab" if i % 2 == 0 else "ba":
            fn = a if name == "a" else b
            t = time.perf_counter()
            fn()
            times[name] = time.perf_counter() - t
        out.append((times["a"], times["b"]))
    return out


def _runtime(folder: Path, path: Path) -> Any:
    from revintel.config import Settings
    from revintel.runtime import Runtime

    return Runtime(Settings(home=folder, warehouse=f"duckdb:///{path}", as_of=None, metrics_file=None))


def bench_size(rows: int, folder: Path, rounds: int, home: Path | None = None) -> dict[str, Any]:
    from revintel.scope import get_persona
    from revintel.semantic import MetricQuery
    from revintel.semantic import compile as compile_module
    from revintel.semantic.rollups import PREFIX, STATE, refresh

    if home is not None:  # a home generated with `revintel demo seed --scale S`
        folder, path, copies = home, home / "warehouse.duckdb", 0
    else:
        path, copies = build(folder, rows)
    ceo = get_persona("ceo").scope
    rt = _runtime(folder, path)
    kpis, layer = rt.kpis, rt.semantic
    raw = layer.warehouse.raw
    raw.execute("SET disabled_optimizers = 'partitioned_execution'")
    res: dict[str, Any] = {"rows": raw.execute("SELECT count(*) FROM services_monthly").fetchone()[0]}
    res["copies"] = copies
    res["scale"] = layer.state().meta.get("scale")

    def hand(sql: str) -> Callable[[], Any]:
        def run() -> Any:
            with layer.warehouse._lock:
                return raw.execute(sql).fetchall()

        return run

    def five_cards(engine: Any) -> list[Any]:
        """The five services cards as the KPI summary computes them (per card before `cards`)."""
        with engine.layer.pinned():
            if hasattr(engine, "cards"):
                return list(engine.cards(SERVICES, ceo, "2025"))
            return [engine.card(m, ceo, "2025") for m in SERVICES]

    def services() -> list[Any]:
        return five_cards(kpis)

    def forget() -> None:
        if hasattr(layer.rollups, "forget"):
            layer.rollups.forget()
        else:
            layer.rollups._fresh.clear()

    def cold() -> list[Any]:
        with layer.warehouse._lock:
            raw.execute(f"DROP TABLE IF EXISTS {PREFIX}services_monthly")
            raw.execute(f"DROP TABLE IF EXISTS {STATE}")
        forget()
        compile_module._SHARED_PLANS.clear()
        layer._plans.clear()
        shutil.rmtree(folder / "cache" / "plans", ignore_errors=True)
        layer.runner.clear()
        return services()

    def from_rollup() -> list[Any]:
        layer.runner.clear()
        return services()

    res["cold"] = interleaved(hand(hand_summary("services_monthly")), cold, rounds)
    t = time.perf_counter()
    refresh(layer)  # what the load's precomputation does in the background
    res["build"] = time.perf_counter() - t
    services()  # plans over the rollup compiled (memory and disk)
    res["rollup"] = interleaved(hand(hand_summary(PREFIX + "services_monthly")), from_rollup, rounds)
    warm = []
    for _ in range(rounds):
        t = time.perf_counter()
        services()
        warm.append(time.perf_counter() - t)
    res["warm"] = statistics.median(warm)
    cards = services()
    res["check"] = {c.metric: (c.value, c.budget) for c in cards}

    q = MetricQuery(
        metrics=["chargeable_hours", "rate_per_hour"], dimensions=["client"], period="2025", compare=["py"]
    )
    layer.query(q, ceo)  # compiled once: the timing is execution and the path around it

    def drill() -> Any:
        layer.runner.clear()
        return layer.query(q, ceo)

    res["drill"] = interleaved(hand(HAND_DRILL), drill, rounds)
    rt.close()

    restarts = []
    for _ in range(rounds):
        compile_module._SHARED_PLANS.clear()  # a new process: only the on-disk plan store survives
        t = time.perf_counter()
        r2 = _runtime(folder, path)
        five_cards(r2.kpis)
        restarts.append(time.perf_counter() - t)
        r2.close()
    res["restart"] = statistics.median(restarts)
    return res


VIEWS = ("/api/kpis/summary", "/")


async def _views(url: str) -> dict[str, float]:
    """Seconds to sign in as the CRO, then for each of :data:`VIEWS` (each must answer 200)."""
    import httpx
    from bench_load import sign_in

    out = {}
    async with httpx.AsyncClient(base_url=url, timeout=300) as c:
        t = time.perf_counter()
        await sign_in(c, "cro")
        out["sign-in"] = time.perf_counter() - t
        for path in VIEWS:
            t = time.perf_counter()
            r = await c.get(path)
            out[path] = time.perf_counter() - t
            if r.status_code != 200:
                raise SystemExit(f"GET {path} answered {r.status_code}")
    return out


def served_views(home: Path, rounds: int) -> dict[str, Any]:
    """Per round: a server started on ``home``, its first views, the same views again (a new
    session), and the server stopped at once (its background precompute is not waited for: at 51M
    rows it outgrew the reference machine's memory, see docs/performance.md)."""
    import asyncio

    from bench_load import free_port, start_server, wait_listening

    out: dict[str, Any] = {"warm": [], "restart": [], "listen": []}
    for i in range(rounds):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(home, port)
        try:
            out["listen"].append(wait_listening(proc, port))
            out["restart"].append(asyncio.run(_views(url)))
            out["warm"].append(asyncio.run(_views(url)))
        finally:
            proc.terminate()
            proc.wait(120)
        print(f"round {i + 1}: listening after {out['listen'][-1]:.1f} s", flush=True)
    return out


def _ms(s: float) -> str:
    return f"{s * 1000:,.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"


def report(r: dict[str, Any]) -> str:
    made = (
        f"demo x {r['copies']}, budgets x {r['copies']}"
        if r["copies"]
        else f"`demo seed --scale {r['scale']}`"
    )
    lines = [f"**{r['rows']:,} services rows** ({made})", ""]
    lines += ["| case | round | hand SQL | revintel | ratio |", "|---|---:|---:|---:|---:|"]
    for case, label in (("cold", "cold summary"), ("rollup", "pre-aggregate read"), ("drill", "drill-down")):
        pairs = r[case]
        for i, (a, b) in enumerate(pairs, 1):
            lines.append(f"| {label} | {i} | {_ms(a)} | {_ms(b)} | {b / a:.2f}x |")
        ma, mb = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
        ratio = statistics.median(b / a for a, b in pairs)
        lines.append(f"| **{label}** | median | **{_ms(ma)}** | **{_ms(mb)}** | **{ratio:.2f}x** |")
    rollup = statistics.median(p[1] for p in r["rollup"])
    lines += [
        "",
        f"pre-aggregate build (after the cold rounds, as a load's precomputation does): {_ms(r['build'])}",
        f"warm (result cache): {_ms(r['warm'])}; restarted process, first five cards: {_ms(r['restart'])} "
        f"({r['restart'] / rollup:.2f}x the warm process's pre-aggregate read)",
    ]
    if "views" in r:
        lines += ["", *views_report(r["views"])]
    return "\n".join(lines)


def views_report(v: dict[str, Any]) -> list[str]:
    """Each round's warm and restarted views (sign-in, summary API, dashboard) and the medians."""
    lines = [
        "| round | server | sign-in | `/api/kpis/summary` | dashboard `/` | summary + dashboard |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for i, (warm, first) in enumerate(zip(v["warm"], v["restart"], strict=True), 1):
        for name, t in (("restarted: first", first), ("same server: again", warm)):
            cells = [t["sign-in"], t[VIEWS[0]], t[VIEWS[1]], t[VIEWS[0]] + t[VIEWS[1]]]
            lines.append(f"| {i} | {name} | " + " | ".join(_ms(c) for c in cells) + " |")
    for path in (*VIEWS, "both"):

        def took(t: dict[str, float], path: str = path) -> float:
            return t[VIEWS[0]] + t[VIEWS[1]] if path == "both" else t[path]

        w = statistics.median(took(t) for t in v["warm"])
        f = statistics.median(took(t) for t in v["restart"])
        ratio = statistics.median(took(b) / took(a) for a, b in zip(v["warm"], v["restart"], strict=True))
        label = "summary + dashboard" if path == "both" else f"`{path}`"
        lines.append(f"- {label}: warm {_ms(w)}, restarted {_ms(f)}, ratio (median of rounds) {ratio:.2f}x")
    lines.append(f"- listening after {statistics.median(v['listen']):.1f} s (median of rounds)")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/revintel-bench"))
    ap.add_argument(
        "--home", type=Path, help="a home made by `revintel demo seed --scale S` (instead of --rows)"
    )
    ap.add_argument("--views", action="store_true", help="with --home: also the restarted server's views")
    ap.add_argument(
        "--views-only", action="store_true", help="with --home: only the restarted server's views"
    )
    args = ap.parse_args()
    if args.views_only:
        start = os.getloadavg()[0]
        print("\n".join(views_report(served_views(args.home, args.rounds))))
        print(f"\nload average {start:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
        return
    for n in [0] if args.home else args.rows:
        start = os.getloadavg()[0]
        t = time.perf_counter()
        r = bench_size(n, args.dir / f"rows-{n}", args.rounds, args.home)
        if args.home and args.views:
            r["views"] = served_views(args.home, args.rounds)
        print(report(r))
        took = time.perf_counter() - t
        print(f"\nload average {start:.1f} -> {os.getloadavg()[0]:.1f}; {took:.0f} s in all")
        print("cards:", {k: tuple(round(x or 0, 4) for x in v) for k, v in r["check"].items()}, flush=True)


if __name__ == "__main__":
    main()
