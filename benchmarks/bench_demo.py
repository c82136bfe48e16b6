"""Demo generation speed and memory: rows/s into DuckDB at the default size and at large scales.

Each scale runs in a fresh subprocess (so its peak RSS is its own), seeds a temporary DuckDB
warehouse with ``seed_demo`` and reports rows written, seconds, rows/s and peak memory. Peak
memory staying about flat while services_monthly grows 10x is what shows the fact tables stream.

    .venv/bin/python benchmarks/bench_demo.py                 # scales 1, 13 and 130 (~10M services rows)
    .venv/bin/python benchmarks/bench_demo.py --scales 1,350  # ~28M services rows
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(scale: float, seed: int) -> dict[str, object]:
    """Seed a throw-away warehouse at ``scale`` and measure it (runs inside the subprocess)."""
    from revintel.warehouse.backends import connect
    from revintel.warehouse.demo import seed_demo

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        wh = connect(f"duckdb:///{tmp}/warehouse.duckdb", Path(tmp))
        start = time.perf_counter()
        result = seed_demo(wh, seed=seed, scale=scale)
        seconds = time.perf_counter() - start
        wh.close()
        size_mb = (Path(tmp) / "warehouse.duckdb").stat().st_size / 2**20
    total = sum(result.rows.values())
    return {
        "scale": scale,
        "total_rows": total,
        "services_monthly": result.rows["services_monthly"],
        "opportunities": result.rows["opportunities"],
        "opportunity_history": result.rows["opportunity_history"],
        "touchpoints": result.rows["touchpoints"],
        "seconds": round(seconds, 2),
        "rows_per_second": round(total / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "duckdb_file_mb": round(size_mb, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,13,130", help="comma-separated scales (default 1,13,130)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.seed)))
        return 0
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive")}
    header = (
        f"{'scale':>6} {'total rows':>12} {'services':>12} {'history':>11} {'seconds':>8} {'rows/s':>9} "
        f"{'peak MB':>8} {'file MB':>8}"
    )
    print(header)
    for scale in (float(s) for s in args.scales.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(scale), "--seed", str(args.seed)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['scale']:>6g} {r['total_rows']:>12,} {r['services_monthly']:>12,} "
            f"{r['opportunity_history']:>11,} {r['seconds']:>8.1f} {r['rows_per_second']:>9,} "
            f"{r['peak_rss_mb']:>8,} {r['duckdb_file_mb']:>8,.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
