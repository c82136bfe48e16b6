"""The runtime can be closed and used again: services come back on fresh connections."""

from __future__ import annotations

from revintel.scope import get_persona


def test_a_closed_runtime_answers_again_on_fresh_connections(demo_rt):
    scope = get_persona("cfo").scope
    first = demo_rt.kpis.summary(scope)
    old_warehouse = demo_rt.warehouse
    demo_rt.close()
    again = demo_rt.kpis.summary(scope)
    assert demo_rt.warehouse is not old_warehouse
    assert [c.value for c in again] == [c.value for c in first]
