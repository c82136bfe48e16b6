"""Benchmark: first views in a warm server, per demo persona (Forecast page, Deals page, brief).

Seeds the demo dataset (scale 1) into a fresh home, builds the app as ``revintel serve`` does and
starts the background precomputation (``rt.precompute``: KPI summary and brief inputs per persona
shape, win model and its compiled trees, scores, risk drivers, forecast inputs, backtest replays).
It times (1) a Forecast request made while the precomputation runs (the progress page), (2) the
precomputation, then (3) for every demo persona that may see the pipeline, its *first* Forecast
page, Deals page and a freshly composed brief, in one process.

Run: ``OMP_WAIT_POLICY=passive .venv/bin/python benchmarks/bench_views.py``
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from fastapi.testclient import TestClient

from revintel.app import create_app
from revintel.briefs.compose import compose_brief
from revintel.config import Settings
from revintel.http.auth import SESSION_COOKIE, session_cookie_value
from revintel.runtime import Runtime
from revintel.scope import DEMO_PERSONAS, DRILL
from revintel.warehouse.demo import ensure_demo


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=home)
        seed = Runtime(settings)
        ensure_demo(seed.warehouse)
        seed.close()
        app = create_app(settings)
        rt = app.state.runtime
        with TestClient(app) as c:
            c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": "cfo"}))
            t0 = time.perf_counter()
            rt.precompute.start()
            r = c.get("/forecast")
            pending = time.perf_counter() - t0
            print(f"Forecast while precomputing: {pending:.2f} s, progress page: {'pending' in r.text}")
            rt.precompute.join()
            print(f"precompute: {time.perf_counter() - t0:.1f} s, {rt.precompute.status()}")
            print("| persona | Forecast first view | Deals first view | brief composed |")
            print("|---|---:|---:|---:|")
            fc, dl, br = [], [], []
            for p in DEMO_PERSONAS:
                if not p.scope.allows(DRILL) or "pipeline" not in p.scope.domains:
                    continue
                c.cookies.set(SESSION_COOKIE, session_cookie_value(settings, {"persona": p.id}))
                t = time.perf_counter()
                assert c.get("/forecast").status_code == 200
                fc.append(time.perf_counter() - t)
                t = time.perf_counter()
                assert c.get("/deals").status_code == 200
                dl.append(time.perf_counter() - t)
                t = time.perf_counter()
                compose_brief(rt, p.scope, polish=False)
                br.append(time.perf_counter() - t)
                print(f"| {p.id} | {fc[-1]:.2f} s | {dl[-1]:.2f} s | {br[-1]:.2f} s |")
            cells = [f"{statistics.median(v):.2f} / {max(v):.2f} s" for v in (fc, dl, br)]
            print(f"| **median / max** | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
