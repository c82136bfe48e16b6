"""Many request threads write the drivers cache at once (bench_load found a 500 on /api/deals/risk)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from revintel.deals import explain


def test_threads_filling_the_cache_side_by_side_never_fail(tmp_path, monkeypatch):
    def slow_drivers(model, deals, top):
        time.sleep(0.01)  # long enough for the writers to overlap
        return [[{"feature": "stage"}] for _ in range(len(deals))]

    monkeypatch.setattr(explain, "drivers", slow_drivers)
    cache = explain.ExplanationCache(tmp_path, "2025-12-31")

    def ask(i: int) -> list:
        return cache.get(None, pd.DataFrame({"opportunity_id": [f"o{i}", f"o{i + 100}"]}))  # type: ignore[arg-type]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, range(40)))
    assert all(len(r) == 2 for r in results)
    stored = json.loads(cache.path.read_text())
    assert {f"o{i}" for i in range(40)} <= set(stored)
    assert not list(tmp_path.glob("*.tmp"))  # every writer's file was moved into place
