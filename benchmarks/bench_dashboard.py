"""Server-side render time of the dashboard page on the demo data: p50/p95 over repeated requests.

Seeds the default demo dataset into a temporary home, builds the app and requests ``GET /`` in
process (Starlette TestClient: routing, auth, scope, KPI engine, Jinja2, audit write; no network).

* **warm**: repeated requests for the same scope and period (the KPI result cache keyed by the
  data version answers; the page is rendered and audited every time);
* **first**: the first request for that scope in the process (the KPI engine's first use);
* **cold**: the result cache is cleared before every request, so the KPI engine computes every
  card (value, budget, prior year, 12-point sparkline) from the warehouse;
* **drill-down**: ``GET /kpi/chargeable_hours`` cold and warm (three Plotly figures as JSON).

    .venv/bin/python benchmarks/bench_dashboard.py                  # 50 warm, 5 cold requests
    .venv/bin/python benchmarks/bench_dashboard.py --warm 200 --cold 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(n: int, fn: Callable[[], None], before: Callable[[], None] | None = None) -> dict[str, float]:
    samples = []
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=50, help="warm requests per case")
    ap.add_argument("--cold", type=int, default=5, help="cold requests per case")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from revintel.app import create_app
    from revintel.config import Settings
    from revintel.http.auth import SESSION_COOKIE, session_cookie_value
    from revintel.warehouse.demo import ensure_demo
    from revintel.web import kpiview

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        settings = Settings(home=Path(tmp), auth="demo", warehouse=None, app_db=None)
        app = create_app(settings)
        rt = app.state.runtime
        ensure_demo(rt.warehouse)
        results: dict[str, dict[str, float]] = {}
        with TestClient(app) as client:

            def get(path: str, persona: str) -> Callable[[], None]:
                cookie = session_cookie_value(settings, {"persona": persona})

                def run() -> None:
                    r = client.get(path, headers={"accept": "text/html"}, cookies={SESSION_COOKIE: cookie})
                    assert r.status_code == 200, (path, r.status_code)

                return run

            clear = kpiview.cache_for(rt).clear
            for label, path, persona in (
                ("dashboard ceo", "/", "ceo"),
                ("dashboard emea_lead", "/", "emea_lead"),
                ("drill-down chargeable_hours", "/kpi/chargeable_hours", "ceo"),
            ):
                results[f"{label} first"] = timed(1, get(path, persona), clear)
                results[f"{label} cold"] = timed(args.cold, get(path, persona), clear)
                results[f"{label} warm"] = timed(args.warm, get(path, persona))
        rt.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
