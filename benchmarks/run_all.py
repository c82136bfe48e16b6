"""Run every benchmark script in this folder, one after another, and print what each reports.

Each ``bench_*.py`` is runnable on its own and prints its figures; the numbers go into
docs/performance.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "passive")}
    only = sys.argv[1:]
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(o in script.name for o in only):
            continue
        print(f"\n=== {script.name}", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], env=env)
        print(f"--- {script.name}: exit {rc} in {time.perf_counter() - start:.1f} s", flush=True)
        failures += rc != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
