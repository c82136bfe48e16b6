"""Results kept beside a runtime: one computation per key, dropped by a training run, not by caches."""

from __future__ import annotations

import threading
import time

from revintel import memo
from revintel.runtime import Runtime


def test_callers_asking_for_the_same_missing_result_at_once_share_one_computation(rt: Runtime) -> None:
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive while the first computes
        return 42

    memo.stamp(rt)  # open the warehouse first, as a server does before it takes requests
    got: list[int] = []
    threads = [
        threading.Thread(target=lambda: got.append(memo.remember(rt, "t", ("k",), slow))) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [42] * 6 and len(calls) == 1
    # another key is computed on its own
    assert memo.remember(rt, "t", ("other",), lambda: 7) == 7


def test_a_failed_computation_is_not_kept_and_the_next_caller_computes_again(rt: Runtime) -> None:
    def boom() -> int:
        raise ValueError("no")

    try:
        memo.remember(rt, "t", ("k",), boom)
    except ValueError:
        pass
    assert memo.remember(rt, "t", ("k",), lambda: 3) == 3


def test_a_training_run_changes_the_stamp_and_the_per_version_churn_model_does_not(rt: Runtime) -> None:
    models = rt.settings.home / "models"
    (models / "win" / "v1").mkdir(parents=True)
    first = memo.models_stamp(rt)
    assert memo.remember(rt, "t", ("k",), lambda: "old") == "old"
    # the churn model (kept per data version) and the backtest's caches are written as the
    # precompute runs: they must not drop every persona's remembered forecast
    (models / "customers").mkdir()
    (models / "customers" / "churn-abc.pkl").write_bytes(b"x")
    (models / "backtest").mkdir()
    (models / "backtest" / "band-1.json").write_text("{}")
    assert memo.models_stamp(rt) == first
    assert memo.remember(rt, "t", ("k",), lambda: "new") == "old"
    # a new win model version (a training run) changes what the views are computed from
    time.sleep(0.01)
    (models / "win" / "v2").mkdir()
    assert memo.models_stamp(rt) != first
    assert memo.remember(rt, "t", ("k",), lambda: "new") == "new"
