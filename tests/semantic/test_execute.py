"""Execution: results cached per data version, plans kept on disk across processes."""

from __future__ import annotations

import pytest

from revintel.scope import get_persona
from revintel.semantic import MetricQuery, SemanticLayer
from revintel.semantic import compile as compile_module
from revintel.semantic import plan as plan_module

CEO = get_persona("ceo").scope
Q = MetricQuery(metrics=["won_revenue", "win_rate"], dimensions=["rep"], period="2025", compare=["py"])


def test_a_new_process_reuses_the_plan_from_disk(small_rt, monkeypatch: pytest.MonkeyPatch) -> None:
    first = small_rt.semantic.query(Q, CEO)
    compile_module._SHARED_PLANS.clear()  # as if the process restarted

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(plan_module, "compile_query", refuse)
    fresh = SemanticLayer(small_rt.warehouse, small_rt.catalogue, small_rt.settings)
    again = fresh.query(Q, CEO)
    assert again.rows == first.rows and again.sql == first.sql and again.definitions == first.definitions


def test_results_follow_the_data_version(small_rt) -> None:
    layer = small_rt.semantic
    v = layer.data_version()
    layer.query(Q, CEO)
    hits = layer.runner.hits
    layer.query(Q, CEO)
    assert layer.runner.hits == hits + 1 and layer.data_version() == v
