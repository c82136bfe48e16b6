"""A brief's section inputs are computed once per reader, day and data version, and again after a retrain."""

from __future__ import annotations

import datetime as dt

from revintel.briefs.sections import Ctx
from revintel.runtime import Runtime
from revintel.scope import get_persona


def test_inputs_are_shared_by_briefs_until_a_model_is_retrained(rt: Runtime) -> None:
    (rt.settings.home / "models" / "win").mkdir(parents=True)
    calls: list[int] = []
    scope, day = get_persona("emea_lead").scope, dt.date(2025, 12, 31)

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert Ctx(rt, scope, day).once("forecast", compute) == 1
    assert Ctx(rt, scope, day).once("forecast", compute) == 1  # another brief, same reader and day
    assert Ctx(rt, get_persona("apac_lead").scope, day).once("forecast", compute) == 2  # another reader
    (rt.settings.home / "models" / "win" / "20260101T000000").mkdir()  # a retrained model
    assert Ctx(rt, scope, day).once("forecast", compute) == 3
