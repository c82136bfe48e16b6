"""KPI summary and drill-down at 10M and 50M services rows: revintel vs hand-written DuckDB SQL vs pandas.

Run: ``.venv/bin/python benchmarks/bench_kpis.py [--rows 10000000 50000000] [--repeat 3] [--dir /tmp/...]``

For each size the demo dataset (scale 1) is generated once into a DuckDB file outside the repo
and ``services_monthly`` is grown to the target row count by replicating its rows (so the December
dip and the budgets stay realistic). Then, in one run:

* **services summary**: the five services KPI cards (chargeable hours, net fees, rate per hour,
  chargeability, delivery margin), each with YTD value, budget, prior year and a 12-month
  sparkline, computed by
  - one hand-written DuckDB SQL query (the baseline),
  - pandas over the needed columns already in memory (idiomatic groupby),
  - revintel: *cold* (first summary after the data changed: compiles plans and rebuilds the
    rollup), *rollup* (plans compiled, results not cached: served from the rollup),
    *warm* (repeat: served from the result cache, keyed by the data version);
* **full summary**: every headline card revintel shows (12 cards), cold and warm;
* **ad-hoc drill-down**: chargeable hours and rate per hour by client for the year vs prior year
  (client is not in the rollup, so this reads the 50M-row base table), revintel vs hand-written SQL.

Figures are printed as Markdown for docs/performance.md.
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

HAND_SUMMARY = """
WITH m AS (
  SELECT month, sum(chargeable_hours) AS h, sum(fees) AS f, sum(hourly_rate * chargeable_hours) AS rh,
         sum(available_hours) AS a, sum(cost) AS c
  FROM services_monthly WHERE month BETWEEN DATE '2024-01-01' AND DATE '2025-12-31' GROUP BY month
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


def build(folder: Path, rows: int) -> Path:
    """A demo warehouse whose services_monthly holds ``rows`` rows (reused when already built)."""
    from revintel.warehouse.backends import connect
    from revintel.warehouse.demo import seed_demo

    path = folder / "warehouse.duckdb"
    marker = folder / f"built-{rows}"
    if marker.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    wh = connect(f"duckdb:///{path}", folder)
    seed_demo(wh)
    raw = wh.raw
    base = raw.execute("SELECT count(*) FROM services_monthly").fetchone()[0]
    copies = -(-rows // base)
    raw.execute("CREATE TEMP TABLE svc_base AS SELECT * FROM services_monthly")
    raw.execute("BEGIN TRANSACTION")
    raw.execute("DELETE FROM services_monthly")
    raw.execute(f"INSERT INTO services_monthly SELECT s.* FROM svc_base s, range({copies}) LIMIT {rows}")
    raw.execute("COMMIT")
    raw.execute("CHECKPOINT")
    wh.close()
    marker.touch()
    return path


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds over ``repeat`` runs, and the last result."""
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def pandas_summary(df: Any, budgets: Any) -> dict[str, Any]:
    """The services summary in idiomatic pandas over in-memory columns."""
    d = df[(df["month"] >= "2024-01-01") & (df["month"] <= "2025-12-31")]
    m = d.assign(rh=d["hourly_rate"] * d["chargeable_hours"]).groupby("month")[
        ["chargeable_hours", "fees", "rh", "available_hours", "cost"]].sum()
    cur, py = m[m.index >= "2025-01-01"], m[m.index < "2025-01-01"]

    def kpis(x: Any) -> list[float]:
        h, f, rh, a, c = (x[k].sum() for k in ("chargeable_hours", "fees", "rh", "available_hours", "cost"))
        return [h, f, rh / h, h / a, (f - c) / f]

    b = budgets[(budgets["month"] >= "2025-01-01") & (budgets["month"] <= "2025-12-31")]
    bs = b.groupby("metric")["value"].sum()
    spark = (cur["chargeable_hours"], cur["fees"], cur["rh"] / cur["chargeable_hours"])
    return {"ytd": kpis(cur), "py": kpis(py), "budget": [bs["chargeable_hours"], bs["fees"]], "spark": spark}


def bench_size(rows: int, folder: Path, repeat: int) -> dict[str, float]:
    import duckdb

    from revintel.config import Settings
    from revintel.runtime import Runtime
    from revintel.scope import get_persona
    from revintel.semantic import MetricQuery
    from revintel.semantic import compile as compile_module

    path = build(folder, rows)
    ceo = get_persona("ceo").scope
    res: dict[str, float] = {"rows": rows}

    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET disabled_optimizers = 'partitioned_execution'")
    res["hand_summary"], _ = timed(lambda: con.execute(HAND_SUMMARY).fetchall(), repeat)
    res["hand_drill"], _ = timed(lambda: con.execute(HAND_DRILL).fetchall(), repeat)
    df = con.execute("SELECT month, chargeable_hours, fees, hourly_rate, available_hours, cost "
                     "FROM services_monthly").df()
    budgets = con.execute("SELECT month, metric, value FROM budgets").df()
    con.close()
    res["pandas_summary"], _ = timed(lambda frame=df: pandas_summary(frame, budgets), repeat)
    del df

    rt = Runtime(Settings(home=folder, warehouse=f"duckdb:///{path}", as_of=None, metrics_file=None))
    kpis, layer = rt.kpis, rt.semantic
    layer.warehouse.raw.execute("DROP TABLE IF EXISTS _rollup_services_monthly")  # cold: no rollup yet
    layer.warehouse.raw.execute("DROP TABLE IF EXISTS _revintel_rollups")
    compile_module._SHARED_PLANS.clear()
    shutil.rmtree(folder / "cache", ignore_errors=True)  # cold: no compiled plans on disk either

    def services() -> list[Any]:
        with layer.pinned():
            return [kpis.card(m, ceo, "2025") for m in SERVICES]

    t = time.perf_counter()
    services()
    res["rv_services_cold"] = time.perf_counter() - t

    def uncached() -> list[Any]:
        layer.runner.clear()
        return services()

    res["rv_services_rollup"], _ = timed(uncached, repeat)
    res["rv_services_warm"], _ = timed(services, repeat)
    layer.runner.clear()
    t = time.perf_counter()
    cards = kpis.summary(ceo, "2025")
    res["rv_full_cold"] = time.perf_counter() - t
    res["cards"] = len(cards)
    res["rv_full_warm"], _ = timed(lambda: kpis.summary(ceo, "2025"), repeat)

    q = MetricQuery(metrics=["chargeable_hours", "rate_per_hour"], dimensions=["client"], period="2025",
                    compare=["py"])
    layer.query(q, ceo)  # compile once: ad hoc timing is execution, like the hand-written SQL

    def drill() -> Any:
        layer.runner.clear()
        return layer.query(q, ceo)

    res["rv_drill"], _ = timed(drill, repeat)
    rt.close()
    return res


def report(results: list[dict[str, float]]) -> str:
    ms = lambda s: f"{s * 1000:,.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"  # noqa: E731
    lines = ["| services rows | hand SQL summary | pandas summary | revintel cold | revintel from rollup "
             "| revintel warm | full summary cold / warm (cards) | drill-down hand SQL | drill-down revintel "
             "| drill ratio |", "|" + "---|" * 10]
    for r in results:
        lines.append(
            f"| {int(r['rows']):,} | {ms(r['hand_summary'])} | {ms(r['pandas_summary'])} "
            f"({r['pandas_summary'] / r['hand_summary']:.1f}x) | {ms(r['rv_services_cold'])} "
            f"| {ms(r['rv_services_rollup'])} ({r['rv_services_rollup'] / r['hand_summary']:.2f}x) "
            f"| {ms(r['rv_services_warm'])} ({r['rv_services_warm'] / r['hand_summary']:.3f}x) "
            f"| {ms(r['rv_full_cold'])} / {ms(r['rv_full_warm'])} ({int(r['cards'])}) "
            f"| {ms(r['hand_drill'])} | {ms(r['rv_drill'])} | {r['rv_drill'] / r['hand_drill']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 50_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/revintel-bench"))
    args = ap.parse_args()
    results = []
    for n in args.rows:
        r = bench_size(n, args.dir / f"rows-{n}", args.repeat)
        print({k: round(v, 4) for k, v in r.items()}, flush=True)
        results.append(r)
    print(report(results))


if __name__ == "__main__":
    main()
